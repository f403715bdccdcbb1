/// Physiological variability around the drugged state: each channel an Ornstein–Uhlenbeck
/// process (standard deviation, correlation time), stepped exactly for any step length.
public struct NoiseParameters: Sendable, Equatable {
  public var hrSD: Double
  public var sbpSD: Double
  public var dbpSD: Double
  public var spo2SD: Double
  public var rrSD: Double
  public var painSD: Double
  /// Correlation time of the vital signs' noise, minutes.
  public var vitalsTau: Double
  /// Correlation time of the pain score's drift, minutes.
  public var painTau: Double

  public init(
    hrSD: Double = 3, sbpSD: Double = 5, dbpSD: Double = 3, spo2SD: Double = 0.7,
    rrSD: Double = 1.2, painSD: Double = 0.7, vitalsTau: Double = 2, painTau: Double = 20
  ) {
    self.hrSD = hrSD
    self.sbpSD = sbpSD
    self.dbpSD = dbpSD
    self.spo2SD = spo2SD
    self.rrSD = rrSD
    self.painSD = painSD
    self.vitalsTau = vitalsTau
    self.painTau = painTau
  }
}
