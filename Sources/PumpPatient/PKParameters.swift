/// One patient's mammillary compartment model in volumes and clearances: volumes in litres,
/// clearances in litres per minute, ke0 per minute. A 2-compartment model has `v3 == 0` and
/// `q3 == 0`. Micro rate constants (per minute) are derived, never stored, so variability on a
/// volume or a clearance keeps the model consistent.
public struct PKParameters: Sendable, Equatable {
  /// Central volume V1, L.
  public var v1: Double
  /// Fast and slow peripheral volumes, L (0 when absent).
  public var v2: Double
  public var v3: Double
  /// Elimination clearance CL = k10·V1, L/min.
  public var cl: Double
  /// Inter-compartmental clearances Q2 = k12·V1 = k21·V2 and Q3 = k13·V1 = k31·V3, L/min.
  public var q2: Double
  public var q3: Double
  /// Blood–effect-site equilibration rate constant, /min.
  public var ke0: Double

  public init(
    v1: Double, v2: Double, v3: Double = 0, cl: Double, q2: Double, q3: Double = 0, ke0: Double
  ) {
    self.v1 = v1
    self.v2 = v2
    self.v3 = v3
    self.cl = cl
    self.q2 = q2
    self.q3 = q3
    self.ke0 = ke0
  }

  /// From published micro rate constants (per minute) and V1 (L).
  public init(
    v1: Double, k10: Double, k12: Double, k21: Double, k13: Double = 0, k31: Double = 0,
    ke0: Double
  ) {
    self.init(
      v1: v1, v2: k21 > 0 ? v1 * k12 / k21 : 0, v3: k31 > 0 ? v1 * k13 / k31 : 0, cl: k10 * v1,
      q2: k12 * v1, q3: k13 * v1, ke0: ke0)
  }

  public var compartments: Int { v3 > 0 && q3 > 0 ? 3 : 2 }
  public var k10: Double { cl / v1 }
  public var k12: Double { q2 / v1 }
  public var k21: Double { v2 > 0 ? q2 / v2 : 0 }
  public var k13: Double { q3 / v1 }
  public var k31: Double { v3 > 0 ? q3 / v3 : 0 }
  /// Volume of distribution at steady state, L.
  public var vss: Double { v1 + v2 + v3 }
}
