/// One drug-library record (Open PCA Pump: every prescription field with lower/upper soft and hard
/// limits). Dose fields have a per-kg guardrail and an absolute one; both apply, the tighter wins.
/// Values come from HardwareProfiles/drug-library.yaml, each with its cited source.
public struct DrugEntry: Sendable {
  public var id: DrugEntryID
  public var careArea: CareArea
  /// µg/mL.
  public var concentration: Guardrail
  /// g.
  public var patientWeight: Guardrail
  /// µg/kg/h and µg/h.
  public var basalRatePerKg: Guardrail
  public var basalRate: Guardrail
  /// µg/kg and µg. A loading dose of zero means none; `upperHard == 0` forbids one.
  public var loadingDosePerKg: Guardrail
  public var loadingDose: Guardrail
  /// µg/kg and µg (patient bolus; clinician boluses are checked against the same bounds).
  public var bolusDosePerKg: Guardrail
  public var bolusDose: Guardrail
  /// µL/h.
  public var bolusRate: Guardrail
  /// ms.
  public var lockout: Guardrail
  /// count.
  public var maxBolusesPerHour: Guardrail
  /// µg/kg and µg, over 60 and 240 minutes.
  public var limit1hPerKg: Guardrail
  public var limit1h: Guardrail
  public var limit4hPerKg: Guardrail
  public var limit4h: Guardrail
  /// µL.
  public var vtbi: Guardrail
  /// µL/h.
  public var kvoRate: Guardrail
  /// ms.
  public var rateIncreaseInterval: Guardrail

  public init(
    id: DrugEntryID, careArea: CareArea, concentration: Guardrail, patientWeight: Guardrail,
    basalRatePerKg: Guardrail, basalRate: Guardrail, loadingDosePerKg: Guardrail,
    loadingDose: Guardrail, bolusDosePerKg: Guardrail, bolusDose: Guardrail,
    bolusRate: Guardrail, lockout: Guardrail, maxBolusesPerHour: Guardrail,
    limit1hPerKg: Guardrail, limit1h: Guardrail, limit4hPerKg: Guardrail, limit4h: Guardrail,
    vtbi: Guardrail, kvoRate: Guardrail, rateIncreaseInterval: Guardrail
  ) {
    self.id = id
    self.careArea = careArea
    self.concentration = concentration
    self.patientWeight = patientWeight
    self.basalRatePerKg = basalRatePerKg
    self.basalRate = basalRate
    self.loadingDosePerKg = loadingDosePerKg
    self.loadingDose = loadingDose
    self.bolusDosePerKg = bolusDosePerKg
    self.bolusDose = bolusDose
    self.bolusRate = bolusRate
    self.lockout = lockout
    self.maxBolusesPerHour = maxBolusesPerHour
    self.limit1hPerKg = limit1hPerKg
    self.limit1h = limit1h
    self.limit4hPerKg = limit4hPerKg
    self.limit4h = limit4h
    self.vtbi = vtbi
    self.kvoRate = kvoRate
    self.rateIncreaseInterval = rateIncreaseInterval
  }
}

// Equality is for host code and tests; Embedded builds leave it out to save flash.
#if !hasFeature(Embedded)
  extension DrugEntry: Hashable {}
#endif
