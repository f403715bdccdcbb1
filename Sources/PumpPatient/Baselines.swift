/// A patient's undrugged state: what the monitor would show and the pain felt with no ketamine.
public struct Baselines: Sendable, Equatable {
  /// Heart rate, beats/min.
  public var hr: Double
  /// Systolic and diastolic pressure, mmHg.
  public var sbp: Double
  public var dbp: Double
  /// Oxygen saturation, %.
  public var spo2: Double
  /// Respiratory rate, breaths/min.
  public var rr: Double
  /// Pain on the 0–10 numeric rating scale.
  public var pain: Double

  public init(hr: Double, sbp: Double, dbp: Double, spo2: Double, rr: Double, pain: Double) {
    self.hr = hr
    self.sbp = sbp
    self.dbp = dbp
    self.spo2 = spo2
    self.rr = rr
    self.pain = pain
  }
}
