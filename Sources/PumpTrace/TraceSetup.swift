import PumpCore

/// A trace's header bound to a configuration: the pump model, the formulary (with the trace's
/// overrides) and the prescription in controller units. Made by `TraceSetup.bind`, which
/// reports header values the configuration does not know at their place in the file.
public struct TraceSetup: Sendable {
  public var profileID: String
  public var profile: HardwareProfile
  public var formulary: Formulary
  public var prescription: Prescription
  public var policy: VitalsPolicy
  public var start: StartState

  public init(
    profileID: String, profile: HardwareProfile, formulary: Formulary,
    prescription: Prescription, start: StartState
  ) {
    self.profileID = profileID
    self.profile = profile
    self.formulary = formulary
    self.prescription = prescription
    self.policy = formulary.policy(for: prescription.careArea)
    self.start = start
  }

  /// Binds `trace`'s header to what `resolver` knows (pump models and the formulary, loaded
  /// by the caller: PumpTrace reads no YAML).
  ///
  /// - Throws: `TraceError` at the header value for an unknown profile or drug entry.
  public static func bind(_ trace: Trace, to resolver: TraceResolver) throws(TraceError)
    -> TraceSetup
  {
    let h = trace.header
    func fail(_ key: String, _ message: String) -> TraceError {
      let at = h.locations[key] ?? SourceLocation(line: 0, column: 0)
      return TraceError(file: trace.file, line: at.line, column: at.column, message: message)
    }
    guard let profile = resolver.profile(h.profile) else {
      let known = resolver.profileIDs.joined(separator: ", ")
      throw fail("profile", "expected a hardware profile (\(known)), found '\(h.profile)'")
    }
    var formulary = resolver.formulary
    guard let entry = formulary.entry(h.drugEntry) else {
      let known = formulary.entries.map { String($0.id.rawValue) }.joined(separator: ", ")
      throw fail(
        "drug-entry", "expected a drug-library entry id (\(known)), found '\(h.drugEntry.rawValue)'"
      )
    }
    let area = h.careArea ?? entry.careArea
    if let stale = h.staleAfter {
      formulary.acutePostOp.staleAfter = stale
      formulary.chronicPain.staleAfter = stale
      formulary.paediatric.staleAfter = stale
    }
    let rx = h.prescription.prescription(
      entry: h.drugEntry, careArea: area, weight: h.weight, profile: profile)
    return TraceSetup(
      profileID: h.profile, profile: profile, formulary: formulary, prescription: rx,
      start: h.start)
  }
}

/// What a trace header's names resolve to: the pump models (by profile id) and the formulary
/// (drug library and care-area policies). The caller loads them (PumpReplay and pumpmon from
/// `HardwareProfiles/` through PumpConfig; tests may build one by hand), so PumpTrace links no
/// YAML reader.
public struct TraceResolver: Sendable {
  /// Pump models in the order they are listed in errors.
  public var profiles: [(id: String, profile: HardwareProfile)]
  public var formulary: Formulary

  public init(profiles: [(id: String, profile: HardwareProfile)], formulary: Formulary) {
    self.profiles = profiles
    self.formulary = formulary
  }

  /// The profile named `id`, or nil.
  public func profile(_ id: String) -> HardwareProfile? {
    profiles.first(where: { $0.id == id })?.profile
  }

  public var profileIDs: [String] { profiles.map(\.id) }
}
