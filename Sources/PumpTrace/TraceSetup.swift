import PumpCore
import PumpPatient

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
  /// The simulated patient the trace names (`patient:`), or nil: then the trace's own vitals
  /// and presses are all the pump sees.
  public var patient: TracePatient? = nil

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
    var patient: TracePatient? = nil
    if let id = h.patient {
      guard let p = resolver.patient(id) else {
        let known = resolver.patientIDs.joined(separator: ", ")
        throw fail("patient", "expected a patient (\(known)), found '\(id)'")
      }
      patient = TracePatient(
        profile: p, individual: p.typical, seed: h.patientSeed ?? h.seed,
        monitor: h.patientMonitor, overrides: PatientOverrides(trace))
    }
    // With a patient and no `weight:`, the pump is programmed with the patient's weight; a
    // `weight:` the trace gives is what the nurse entered, right or wrong.
    var weight = h.weight
    if let patient, h.locations["weight"] == nil { weight = patient.profile.weight }
    let area = h.careArea ?? entry.careArea
    if let stale = h.staleAfter {
      formulary.acutePostOp.staleAfter = stale
      formulary.chronicPain.staleAfter = stale
      formulary.paediatric.staleAfter = stale
    }
    let rx = h.prescription.prescription(
      entry: h.drugEntry, careArea: area, weight: weight, profile: profile)
    var setup = TraceSetup(
      profileID: h.profile, profile: profile, formulary: formulary, prescription: rx,
      start: h.start)
    setup.patient = patient
    return setup
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
  /// Patient files (`HardwareProfiles/patients/*.yaml`) in the order they are listed in errors.
  public var patients: [PatientProfile]

  public init(
    profiles: [(id: String, profile: HardwareProfile)], formulary: Formulary,
    patients: [PatientProfile] = []
  ) {
    self.profiles = profiles
    self.formulary = formulary
    self.patients = patients
  }

  /// The patient whose file stem is `id`, or nil.
  public func patient(_ id: String) -> PatientProfile? { patients.first(where: { $0.id == id }) }

  public var patientIDs: [String] { patients.map(\.id) }

  /// The profile named `id`, or nil.
  public func profile(_ id: String) -> HardwareProfile? {
    profiles.first(where: { $0.id == id })?.profile
  }

  public var profileIDs: [String] { profiles.map(\.id) }
}

/// The patient of a bound trace: which file, which individual (the file's typical one; a
/// cohort member for `pumpmon replay --cohort`), the seed of its noise, artefacts and presses,
/// and its monitor.
public struct TracePatient: Sendable {
  public var profile: PatientProfile
  public var individual: VirtualPatient
  public var seed: UInt64
  public var monitor: PatientMonitor
  /// The model's monitor readings the trace's own vitals lines replace.
  public var overrides: PatientOverrides

  public init(
    profile: PatientProfile, individual: VirtualPatient, seed: UInt64, monitor: PatientMonitor,
    overrides: PatientOverrides = PatientOverrides()
  ) {
    self.profile = profile
    self.individual = individual
    self.seed = seed
    self.monitor = monitor
    self.overrides = overrides
  }

  /// The monitor's settings (pumpsim's `--patient-monitor`: default or clean).
  public var monitorSettings: MonitorSettings {
    monitor == .clean ? .clean : MonitorSettings()
  }
}
