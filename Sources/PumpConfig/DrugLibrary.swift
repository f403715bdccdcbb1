import PumpCore
import PumpProtocol

/// A drug-library record as the host sees it: the controller's `DrugEntry` plus the names that
/// stay on the host (the wire carries only `DrugEntryID`).
public struct DrugLibraryEntry: Equatable, Sendable {
  /// The guardrails the controller checks prescriptions against.
  public var entry: DrugEntry
  /// Display name, e.g. "Ketamine PCA adult (ASRA 2018)".
  public var name: String
  /// Generic drug name, e.g. "ketamine".
  public var drug: String

  public init(entry: DrugEntry, name: String, drug: String) {
    self.entry = entry
    self.name = name
    self.drug = drug
  }
}

/// The drug library from `HardwareProfiles/drug-library.yaml`: entries in file order, ids unique.
public struct DrugLibrary: Equatable, Sendable {
  /// Every entry, in file order.
  public var entries: [DrugLibraryEntry]
  /// SHA-256 of the file's UTF-8 bytes, lowercase hex: identifies the exact library a pump was
  /// loaded with (an integrity fingerprint, not an authenticity check).
  public var sha256: String

  public init(entries: [DrugLibraryEntry], sha256: String) {
    self.entries = entries
    self.sha256 = sha256
  }

  /// The entry with `id`, or nil.
  public func entry(id: DrugEntryID) -> DrugLibraryEntry? {
    entries.first(where: { $0.entry.id == id })
  }

  /// The entries for one care area, in file order.
  public func entries(careArea: CareArea) -> [DrugLibraryEntry] {
    entries.filter { $0.entry.careArea == careArea }
  }
}

extension DrugLibrary {
  /// YAML names of the DrugEntry guardrails, their dimension (nil: a plain integer count) and
  /// the resolution the field is held in (ms fields read time in µs).
  static let guardrailFields: [(key: String, dimension: Quantity.Dimension?, resolution: Int64)] = [
    ("concentration", .concentration, 1),
    ("patient_weight", .weight, 1),
    ("basal_rate_per_kg", .doseRatePerKg, 1),
    ("basal_rate", .massRate, 1),
    ("loading_dose_per_kg", .dosePerKg, 1),
    ("loading_dose", .mass, 1),
    ("bolus_dose_per_kg", .dosePerKg, 1),
    ("bolus_dose", .mass, 1),
    ("bolus_rate", .flowRate, 1),
    ("lockout", .time, 1000),
    ("max_boluses_per_hour", nil, 1),
    ("limit_1h_per_kg", .dosePerKg, 1),
    ("limit_1h", .mass, 1),
    ("limit_4h_per_kg", .dosePerKg, 1),
    ("limit_4h", .mass, 1),
    ("vtbi", .volume, 1),
    ("kvo_rate", .flowRate, 1),
    ("rate_increase_interval", .time, 1000),
  ]

  /// The prescription field whose one bound (`PrescriptionField.bounds`) a guardrail's hard
  /// limits must lie inside; per-kg fields are bounded through their absolute twin.
  static let boundedFields: [String: PrescriptionField] = [
    "concentration": .concentration, "patient_weight": .patientWeight, "basal_rate": .basalRate,
    "loading_dose": .loadingDose, "bolus_dose": .bolusDose, "bolus_rate": .bolusRate,
    "lockout": .lockout, "max_boluses_per_hour": .maxBolusesPerHour, "limit_1h": .limit1h,
    "limit_4h": .limit4h, "vtbi": .vtbi, "kvo_rate": .kvoRate,
    "rate_increase_interval": .rateIncreaseInterval,
  ]

  static let careAreaNames: [(String, CareArea)] = [
    ("acute_post_op", .acutePostOp), ("chronic_pain", .chronicPain), ("paediatric", .paediatric),
  ]

  static let boundNames = ["lower_hard", "lower_soft", "upper_soft", "upper_hard"]

  /// Reads and validates a library document.
  static func parse(_ root: YAMLNode, text: String) throws(ConfigError) -> DrugLibrary {
    let top = try root.fields(allowed: ["entries"], what: "a drug library")
    let list = try top.required("entries").elements(what: "the entries list")
    if list.isEmpty {
      throw try top.required("entries").error("the library has no entries")
    }
    var entries: [DrugLibraryEntry] = []
    var seen: [UInt16: YAMLNode] = [:]
    for node in list {
      let allowed = ["id", "name", "drug", "care_area"] + guardrailFields.map(\.key)
      let f = try node.fields(allowed: allowed, what: "a drug-library entry")
      let idNode = try f.required("id")
      let id = UInt16(try idNode.integer(in: 0...Int64(UInt16.max)))
      if let first = seen[id] {
        throw idNode.error(
          "duplicate id \(id) (already used by \(first.path) at line \(first.line))")
      }
      seen[id] = node
      let name = try f.required("name").text()
      let drug = try f.required("drug").text()
      let area = try f.required("care_area").choice(careAreaNames, what: "care area")
      var g: [Guardrail] = []
      for field in guardrailFields {
        // A concentration, weight or bolus rate of 0 would divide by zero (or never finish a
        // bolus) downstream: lower_hard > 0.
        let positive = ["concentration", "patient_weight", "bolus_rate"].contains(field.key)
        let node = try f.required(field.key)
        let rail = try guardrail(node, field.dimension, field.resolution, positive: positive)
        // One bound per field (REQ-RX-BOUNDS-01): a library may not allow what the wire cannot
        // carry or the controller cannot honour exactly.
        if let pf = boundedFields[field.key],
          !pf.bounds.contains(rail.lowerHard) || !pf.bounds.contains(rail.upperHard)
        {
          throw node.error(
            "hard limits \(rail.lowerHard)…\(rail.upperHard) outside the field's bound "
              + "\(pf.bounds.lowerBound)…\(pf.bounds.upperBound) (controller units)")
        }
        g.append(rail)
      }
      let entry = DrugEntry(
        id: DrugEntryID(id), careArea: area, concentration: g[0], patientWeight: g[1],
        basalRatePerKg: g[2], basalRate: g[3], loadingDosePerKg: g[4], loadingDose: g[5],
        bolusDosePerKg: g[6], bolusDose: g[7], bolusRate: g[8], lockout: g[9],
        maxBolusesPerHour: g[10], limit1hPerKg: g[11], limit1h: g[12], limit4hPerKg: g[13],
        limit4h: g[14], vtbi: g[15], kvoRate: g[16], rateIncreaseInterval: g[17])
      entries.append(DrugLibraryEntry(entry: entry, name: name, drug: drug))
    }
    return DrugLibrary(entries: entries, sha256: sha256Hex(Array(text.utf8)))
  }

  /// One guardrail mapping: all four bounds, ordered lower_hard ≤ lower_soft ≤ upper_soft ≤
  /// upper_hard; the first bound that breaks the order is reported.
  static func guardrail(
    _ node: YAMLNode, _ dimension: Quantity.Dimension?, _ resolution: Int64, positive: Bool
  ) throws(ConfigError) -> Guardrail {
    let f = try node.fields(allowed: boundNames, what: "a guardrail")
    var values: [Int64] = []
    var nodes: [YAMLNode] = []
    for name in boundNames {
      let b = try f.required(name)
      if let dimension {
        values.append(try b.quantity(dimension, resolution: resolution))
      } else {
        values.append(try b.integer(in: 0...1_000_000))
      }
      nodes.append(b)
    }
    if positive, values[0] <= 0 {
      throw nodes[0].error("must be greater than 0")
    }
    for i in 1..<values.count where values[i - 1] > values[i] {
      let show = { (v: Int64) -> String in
        guard let dimension else { return "\(v)" }
        return Quantity.format(v * resolution, as: dimension)
      }
      throw nodes[i].error(
        "bounds out of order: \(boundNames[i]) \(show(values[i])) is below "
          + "\(boundNames[i - 1]) \(show(values[i - 1])) "
          + "(need lower_hard ≤ lower_soft ≤ upper_soft ≤ upper_hard)")
    }
    return Guardrail(
      lowerHard: values[0], lowerSoft: values[1], upperSoft: values[2], upperHard: values[3])
  }
}
