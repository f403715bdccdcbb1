/// A ketamine PCA prescription in controller units. Mass fields are absolute (per-kg values are
/// converted by `PrescriptionRequest` before reaching the controller).
public struct Prescription: Sendable {
  /// Drug-library entry the prescription was checked against.
  public var drugEntry: DrugEntryID
  public var careArea: CareArea
  /// Drug concentration in the reservoir.
  public var concentration: MicrogramsPerMilliliter
  public var patientWeight: Grams
  /// Continuous basal rate; zero for PCA-only.
  public var basalRate: MicrogramsPerHour
  /// Loading dose delivered at `bolusRate` on start; zero for none.
  public var loadingDose: Micrograms
  /// Dose of one patient (PCA) bolus.
  public var bolusDose: Micrograms
  /// Volumetric delivery rate of boluses (patient, clinician, loading).
  public var bolusRate: MicrolitersPerHour
  /// Minimum time from one granted patient bolus to the next.
  public var lockout: Milliseconds
  /// Granted patient boluses allowed in any 60-minute window.
  public var maxBolusesPerHour: Int64
  /// Drug delivered in any 60-minute window never exceeds this.
  public var limit1h: Micrograms
  /// Drug delivered in any 240-minute window never exceeds this.
  public var limit4h: Micrograms
  /// Volume to be infused; the infusion completes when reached.
  public var vtbi: Microliters
  /// Keep-vein-open rate used when a dose limit is reached.
  public var kvoRate: MicrolitersPerHour
  /// Minimum time between two increases of the basal rate.
  public var rateIncreaseInterval: Milliseconds

  public init(
    drugEntry: DrugEntryID, careArea: CareArea, concentration: MicrogramsPerMilliliter,
    patientWeight: Grams, basalRate: MicrogramsPerHour, loadingDose: Micrograms,
    bolusDose: Micrograms, bolusRate: MicrolitersPerHour, lockout: Milliseconds,
    maxBolusesPerHour: Int64, limit1h: Micrograms, limit4h: Micrograms, vtbi: Microliters,
    kvoRate: MicrolitersPerHour, rateIncreaseInterval: Milliseconds
  ) {
    self.drugEntry = drugEntry
    self.careArea = careArea
    self.concentration = concentration
    self.patientWeight = patientWeight
    self.basalRate = basalRate
    self.loadingDose = loadingDose
    self.bolusDose = bolusDose
    self.bolusRate = bolusRate
    self.lockout = lockout
    self.maxBolusesPerHour = maxBolusesPerHour
    self.limit1h = limit1h
    self.limit4h = limit4h
    self.vtbi = vtbi
    self.kvoRate = kvoRate
    self.rateIncreaseInterval = rateIncreaseInterval
  }
}

/// Identifies a drug-library entry on the wire and in logs (names live on the host side).
public struct DrugEntryID: RawRepresentable, Hashable, Sendable {
  public var rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }
  public init(_ value: UInt16) { self.rawValue = value }
}

// Equality is for host code and tests; Embedded builds leave it out to save flash.
#if !hasFeature(Embedded)
  extension Prescription: Hashable {}
#endif
