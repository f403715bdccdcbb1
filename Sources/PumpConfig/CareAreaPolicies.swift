import PumpCore

/// The vitals-interlock policy of every care area, from `HardwareProfiles/care-areas.yaml`.
/// Loading fails unless every `CareArea` has a policy, so the subscript never misses.
public struct CareAreaPolicies: Equatable, Sendable {
  private var policies: [CareArea: VitalsPolicy]

  /// Policies for every care area; areas missing from `policies` get
  /// `VitalsPolicy.ketamineDefault` (the loader never leaves one out).
  public init(_ policies: [CareArea: VitalsPolicy]) {
    self.policies = policies
  }

  /// The policy of `careArea`.
  public subscript(careArea: CareArea) -> VitalsPolicy {
    policies[careArea] ?? .ketamineDefault
  }
}

extension CareAreaPolicies {
  static let vitalNames: [(String, Vital)] = [
    ("sbp", .sbp), ("dbp", .dbp), ("hr", .hr), ("spo2", .spo2), ("rr", .rr),
  ]
  static let bandNames = ["warning_low", "critical_low", "warning_high", "critical_high"]

  /// Reads and validates a care-areas document.
  static func parse(_ root: YAMLNode) throws(ConfigError) -> CareAreaPolicies {
    let top = try root.fields(allowed: ["care_areas"], what: "a care-areas file")
    let areasNode = try top.required("care_areas")
    let areas = try areasNode.fields(
      allowed: DrugLibrary.careAreaNames.map(\.0), what: "the care_areas mapping",
      keyKind: "care area")
    var result: [CareArea: VitalsPolicy] = [:]
    for (name, area) in DrugLibrary.careAreaNames {
      let node = try areas.required(name)
      result[area] = try policy(node)
    }
    return CareAreaPolicies(result)
  }

  static func policy(_ node: YAMLNode) throws(ConfigError) -> VitalsPolicy {
    let f = try node.fields(
      allowed: vitalNames.map(\.0) + [
        "required", "persist_samples", "persist_time", "stale_after", "interlock_warnings",
      ], what: "a vitals policy")
    var bands: [VitalBand] = []
    for (name, _) in vitalNames {
      bands.append(try band(f.required(name)))
    }
    var required: UInt8 = 0
    let requiredNode = try f.required("required")
    for item in try requiredNode.elements(what: "the list of required vitals") {
      required |= try item.choice(vitalNames, what: "vital").bit
    }
    let persistSamples = try f.required("persist_samples").integer(in: 1...1000)
    let persistTimeNode = try f.required("persist_time")
    let persistTime = try persistTimeNode.milliseconds()
    let staleNode = try f.required("stale_after")
    let stale = try staleNode.milliseconds()
    if stale.rawValue <= 0 { throw staleNode.error("must be greater than 0") }
    let warnings = try f.required("interlock_warnings").integer(in: 1...5)
    return VitalsPolicy(
      sbp: bands[0], dbp: bands[1], hr: bands[2], spo2: bands[3], rr: bands[4],
      required: required, persistSamples: Int32(persistSamples), persistTime: persistTime,
      staleAfter: stale, interlockWarnings: Int32(warnings))
  }

  /// One band: any of the four bounds (an omitted bound is not checked), plain integers in the
  /// vital's own unit, ordered critical_low < warning_low < warning_high < critical_high.
  static func band(_ node: YAMLNode) throws(ConfigError) -> VitalBand {
    let f = try node.fields(allowed: bandNames, what: "a vital band")
    var values: [Int32?] = []
    for name in bandNames {
      if let b = f.optional(name) {
        values.append(Int32(try b.integer(in: 0...1000)))
      } else {
        values.append(nil)
      }
    }
    let band = VitalBand(
      warningLow: values[0], criticalLow: values[1], warningHigh: values[2],
      criticalHigh: values[3])
    guard band.isWellFormed else {
      throw node.error(
        "bounds out of order (need critical_low < warning_low < warning_high < critical_high)")
    }
    return band
  }
}
