/// The patient's true state at an instant, before the monitor samples it: vital signs, pain,
/// dissociation and the concentrations behind them.
public struct PatientVitals: Sendable, Hashable {
  /// Heart rate, beats/min.
  public var hr: Double
  /// Systolic and diastolic pressure, mmHg.
  public var sbp: Double
  public var dbp: Double
  /// Oxygen saturation, %.
  public var spo2: Double
  /// Respiratory rate, breaths/min.
  public var rr: Double
  /// Pain, NRS 0–10.
  public var pain: Double
  /// Dissociation score, 0–100.
  public var dissociation: Double
  /// Plasma and effect-site concentrations, ng/mL.
  public var plasma: Double
  public var effectSite: Double

  public init(
    hr: Double, sbp: Double, dbp: Double, spo2: Double, rr: Double, pain: Double,
    dissociation: Double, plasma: Double, effectSite: Double
  ) {
    self.hr = hr
    self.sbp = sbp
    self.dbp = dbp
    self.spo2 = spo2
    self.rr = rr
    self.pain = pain
    self.dissociation = dissociation
    self.plasma = plasma
    self.effectSite = effectSite
  }
}
