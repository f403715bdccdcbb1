/// Inter-individual variability: log-normal on PK and PD parameters (`θᵢ = θ · e^{ω·η}`,
/// η ~ N(0, 1)), normal on baselines. ω values are our assumption (docs/PATIENT.md).
public struct Variability: Sendable, Equatable {
  /// ω on V1, V2, V3.
  public var volumes: Double
  /// ω on CL, Q2, Q3.
  public var clearances: Double
  /// ω on ke0.
  public var ke0: Double
  /// ω on the EC50s: one η shared by HR, SBP and DBP (one haemodynamic sensitivity), one for
  /// analgesia.
  public var ec50: Double
  /// ω on every Emax.
  public var emax: Double
  /// Standard deviations of the baselines: HR beats/min, SBP and DBP mmHg, pain NRS points.
  public var hrSD: Double
  public var sbpSD: Double
  public var dbpSD: Double
  public var painSD: Double

  public init(
    volumes: Double = 0.3, clearances: Double = 0.3, ke0: Double = 0.3, ec50: Double = 0.4,
    emax: Double = 0.2, hrSD: Double = 8, sbpSD: Double = 10, dbpSD: Double = 7,
    painSD: Double = 1
  ) {
    self.volumes = volumes
    self.clearances = clearances
    self.ke0 = ke0
    self.ec50 = ec50
    self.emax = emax
    self.hrSD = hrSD
    self.sbpSD = sbpSD
    self.dbpSD = dbpSD
    self.painSD = painSD
  }

  /// No variability: every individual is the typical patient.
  public static let none = Variability(
    volumes: 0, clearances: 0, ke0: 0, ec50: 0, emax: 0, hrSD: 0, sbpSD: 0, dbpSD: 0, painSD: 0)
}
