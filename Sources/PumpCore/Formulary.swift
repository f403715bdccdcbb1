/// The drug library and the per-care-area vitals policies the controller checks against.
public struct Formulary: Sendable {
  public var entries: [DrugEntry]
  public var acutePostOp: VitalsPolicy
  public var chronicPain: VitalsPolicy
  public var paediatric: VitalsPolicy

  public init(
    entries: [DrugEntry], acutePostOp: VitalsPolicy, chronicPain: VitalsPolicy,
    paediatric: VitalsPolicy
  ) {
    self.entries = entries
    self.acutePostOp = acutePostOp
    self.chronicPain = chronicPain
    self.paediatric = paediatric
  }

  public func entry(_ id: DrugEntryID) -> DrugEntry? {
    for e in entries where e.id == id { return e }
    return nil
  }

  public func policy(for area: CareArea) -> VitalsPolicy {
    switch area {
    case .acutePostOp: acutePostOp
    case .chronicPain: chronicPain
    case .paediatric: paediatric
    }
  }
}

/// Prescription fields, for limit reports. Wire value: the raw value (bit index in masks).
public enum PrescriptionField: UInt8, Hashable, Sendable, CaseIterable {
  case concentration = 0
  case patientWeight = 1
  case basalRate = 2
  case loadingDose = 3
  case bolusDose = 4
  case bolusRate = 5
  case lockout = 6
  case maxBolusesPerHour = 7
  case limit1h = 8
  case limit4h = 9
  case vtbi = 10
  case kvoRate = 11
  case rateIncreaseInterval = 12

  public var bit: UInt32 { 1 << UInt32(rawValue) }

  /// The one absolute bound of the field, in its controller unit (µg/mL, g, µg/h, µg, µL/h, ms,
  /// count, µL). The wire codec reads exactly this range, the drug library's hard limits must lie
  /// inside it, and the controller honours every value in it (or rejects the prescription with
  /// this field): one bound per field (issue 12, REQ-RX-BOUNDS-01).
  public var bounds: ClosedRange<Int64> {
    switch self {
    case .concentration, .patientWeight: 1...999_999_999
    case .maxBolusesPerHour: 0...PrescriptionField.maxBolusesPerHourBound
    default: 0...999_999_999
    }
  }

  /// The largest `maxBolusesPerHour` (the wire's 0…999): the grant history holds this many.
  public static let maxBolusesPerHourBound: Int64 = 999
}

/// Guards on a prescription: pure predicates that return why they block.
public enum PrescriptionCheck {
  public enum Outcome: Equatable, Sendable {
    /// Acceptable; `softViolations` (bit mask of `PrescriptionField.bit`) need confirmation.
    case acceptable(softViolations: UInt32)
    case rejected(Rejection, PrescriptionField?)
  }

  public static func check(
    _ p: Prescription, against e: DrugEntry, profile: HardwareProfile
  ) -> Outcome {
    if p.careArea != e.careArea { return .rejected(.careAreaMismatch, nil) }
    if p.concentration.rawValue <= 0 || p.patientWeight.rawValue <= 0 {
      return .rejected(
        .invalidValue, p.concentration.rawValue <= 0 ? .concentration : .patientWeight)
    }
    let w = p.patientWeight
    var soft: UInt32 = 0
    func apply(_ field: PrescriptionField, _ value: Int64, _ g: Guardrail) -> Rejection? {
      let c = g.classify(value)
      if c.isHardViolation { return .hardLimit }
      if c.isSoftViolation { soft |= field.bit }
      return nil
    }
    let checks: [(PrescriptionField, Int64, Guardrail)] = [
      (.concentration, p.concentration.rawValue, e.concentration),
      (.patientWeight, w.rawValue, e.patientWeight),
      (
        .basalRate, p.basalRate.rawValue,
        e.basalRate.intersected(with: e.basalRatePerKg.scaled(byWeight: w))
      ),
      (
        .loadingDose, p.loadingDose.rawValue,
        e.loadingDose.intersected(with: e.loadingDosePerKg.scaled(byWeight: w))
      ),
      (
        .bolusDose, p.bolusDose.rawValue,
        e.bolusDose.intersected(with: e.bolusDosePerKg.scaled(byWeight: w))
      ),
      (.bolusRate, p.bolusRate.rawValue, e.bolusRate),
      (.lockout, p.lockout.rawValue, e.lockout),
      (.maxBolusesPerHour, p.maxBolusesPerHour, e.maxBolusesPerHour),
      (
        .limit1h, p.limit1h.rawValue,
        e.limit1h.intersected(with: e.limit1hPerKg.scaled(byWeight: w))
      ),
      (
        .limit4h, p.limit4h.rawValue,
        e.limit4h.intersected(with: e.limit4hPerKg.scaled(byWeight: w))
      ),
      (.vtbi, p.vtbi.rawValue, e.vtbi),
      (.kvoRate, p.kvoRate.rawValue, e.kvoRate),
      (.rateIncreaseInterval, p.rateIncreaseInterval.rawValue, e.rateIncreaseInterval),
    ]
    for (field, value, g) in checks {
      // The field's one bound (wire codec and drug library use the same): outside it the core
      // could not honour the value exactly, so it is rejected with the field (REQ-RX-BOUNDS-01).
      if !field.bounds.contains(value) { return .rejected(.invalidValue, field) }
      if let r = apply(field, value, g) { return .rejected(r, field) }
    }
    // Consistency with the pump and with itself.
    let basalVolume = volumeRate(p.basalRate, p.concentration, profile)
    if p.basalRate.rawValue > 0 && basalVolume.rawValue < profile.minRate.rawValue {
      return .rejected(.invalidValue, .basalRate)
    }
    if basalVolume.rawValue > profile.maxRate.rawValue { return .rejected(.hardLimit, .basalRate) }
    if p.bolusRate.rawValue > profile.maxRate.rawValue
      || p.bolusRate.rawValue < profile.minRate.rawValue
    {
      return .rejected(.hardLimit, .bolusRate)
    }
    if p.kvoRate.rawValue > profile.maxRate.rawValue { return .rejected(.hardLimit, .kvoRate) }
    if p.basalRate.rawValue > p.limit1h.rawValue { return .rejected(.invalidValue, .limit1h) }
    if p.limit4h.rawValue < p.limit1h.rawValue { return .rejected(.invalidValue, .limit4h) }
    if p.bolusDose.rawValue > p.limit1h.rawValue { return .rejected(.invalidValue, .bolusDose) }
    if p.loadingDose.rawValue > p.limit1h.rawValue { return .rejected(.invalidValue, .loadingDose) }
    if p.vtbi.rawValue <= 0 { return .rejected(.invalidValue, .vtbi) }
    return .acceptable(softViolations: soft)
  }

  /// A mass rate as a volumetric motor rate: ⌊rate × 1000 / concentration⌋ µL/h, then rounded
  /// down to the pump's rate resolution (toward less drug).
  public static func volumeRate(
    _ rate: MicrogramsPerHour, _ c: MicrogramsPerMilliliter, _ profile: HardwareProfile
  ) -> MicrolitersPerHour {
    let raw = Arith.mulDivFloor(rate.rawValue, 1000, max(c.rawValue, 1))
    let res = max(profile.rateResolution.rawValue, 1)
    return MicrolitersPerHour(raw / res * res)
  }

  /// A dose as a volume, nL, rounded down.
  public static func volume(_ dose: Micrograms, _ c: MicrogramsPerMilliliter) -> Int64 {
    Arith.mulDivFloor(dose.rawValue, 1_000_000, max(c.rawValue, 1))
  }
}
