import PumpCore

/// The header of a trace: what it runs on, the patient, the prescription, the seed, and the
/// requirements it covers. Every field has a default (docs/TRACES.md) except `profile`.
public struct TraceHeader: Hashable, Sendable {
  /// Display name (default: the file name without `.trace`).
  public var name: String
  public var description: String = ""
  /// Pump model id (`HardwareProfiles/<id>.yaml`).
  public var profile: String = ""
  /// Drug-library entry the prescription is checked against.
  public var drugEntry = DrugEntryID(1)
  /// Care area (default: the drug entry's).
  public var careArea: CareArea? = nil
  public var weight = Grams.kilograms(70)
  public var prescription = PrescriptionSpec()
  /// Seed of every random choice in the trace (vitals jitter).
  public var seed: UInt64 = 0
  /// Requirement IDs the trace covers (docs/requirements.md).
  public var requirements: [String] = []
  public var expectedVerdict: Verdict = .pass
  public var start: StartState = .infusing
  /// Run at least until this time.
  public var end: Milliseconds? = nil
  /// Overrides the care area's vitals data-age limit (intermittent monitors, benchmarks).
  public var staleAfter: Milliseconds? = nil
  /// The simulated patient (`HardwareProfiles/patients/<id>.yaml`), if any: the model's monitor
  /// feeds the pump and the patient presses the button (docs/PATIENT.md "Traces").
  public var patient: String? = nil
  /// Seed of the patient's noise, monitor artefacts and presses (default: `seed`).
  public var patientSeed: UInt64? = nil
  /// The patient's monitor (as pumpsim's `--patient-monitor`).
  public var patientMonitor: PatientMonitor = .standard
  /// Where each header key's value starts, for binding errors (unknown profile…).
  public var locations: [String: SourceLocation] = [:]

  public init(name: String) { self.name = name }
}

/// `patient-monitor:` — which monitor watches the trace's patient (pumpsim's
/// `--patient-monitor`).
public enum PatientMonitor: String, Hashable, Sendable, CaseIterable {
  /// The realistic monitor: spikes and lead-off dropouts (`MonitorSettings()`).
  case standard = "default"
  /// Neither spikes nor dropouts (`MonitorSettings.clean`).
  case clean
}

/// A dose that may be written per kilogram of body weight.
public enum DoseSpec: Hashable, Sendable {
  case absolute(Micrograms)
  case perKg(MicrogramsPerKilogram)

  /// The absolute dose for `weight`, per-kg values rounded down (toward less drug).
  public func resolve(weight: Grams) -> Micrograms {
    switch self {
    case .absolute(let m): m
    case .perKg(let k): k.dose(forWeight: weight)
    }
  }
}

/// A mass rate that may be written per kilogram of body weight.
public enum RateSpec: Hashable, Sendable {
  case absolute(MicrogramsPerHour)
  case perKg(MicrogramsPerKilogramHour)

  /// The absolute rate for `weight`, per-kg values rounded down (toward less drug).
  public func resolve(weight: Grams) -> MicrogramsPerHour {
    switch self {
    case .absolute(let r): r
    case .perKg(let k): k.rate(forWeight: weight)
    }
  }
}

/// The prescription as a trace writes it. Defaults: the ward example of the test fixtures
/// (5 mg/mL, basal 5 mg/h, bolus 2 mg at 60 mL/h, lockout 10 min, 4 boluses/h, 15 mg per hour,
/// 40 mg per 4 h, KVO 0.1 mL/h, increases hourly); VTBI defaults to the profile's reservoir.
public struct PrescriptionSpec: Hashable, Sendable {
  public var concentration = MicrogramsPerMilliliter.milligramsPerMilliliter(5)
  public var basal = RateSpec.absolute(.milligramsPerHour(5))
  public var loading = DoseSpec.absolute(.zero)
  public var bolus = DoseSpec.absolute(.milligrams(2))
  public var bolusRate = MicrolitersPerHour.millilitersPerHour(60)
  public var lockout = Milliseconds.minutes(10)
  public var maxBolusesPerHour: Int64 = 4
  public var limit1h = DoseSpec.absolute(.milligrams(15))
  public var limit4h = DoseSpec.absolute(.milligrams(40))
  public var vtbi: Microliters? = nil
  public var kvoRate = MicrolitersPerHour(100)
  public var rateIncreaseInterval = Milliseconds.hours(1)

  public init() {}

  /// The controller's prescription for this patient and pump.
  public func prescription(
    entry: DrugEntryID, careArea: CareArea, weight: Grams, profile: HardwareProfile
  ) -> Prescription {
    Prescription(
      drugEntry: entry, careArea: careArea, concentration: concentration, patientWeight: weight,
      basalRate: basal.resolve(weight: weight), loadingDose: loading.resolve(weight: weight),
      bolusDose: bolus.resolve(weight: weight), bolusRate: bolusRate, lockout: lockout,
      maxBolusesPerHour: maxBolusesPerHour, limit1h: limit1h.resolve(weight: weight),
      limit4h: limit4h.resolve(weight: weight), vtbi: vtbi ?? profile.reservoirVolume,
      kvoRate: kvoRate, rateIncreaseInterval: rateIncreaseInterval)
  }
}
