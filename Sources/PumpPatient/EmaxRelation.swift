/// A sigmoid-Emax (Hill) relation of an effect to the effect-site concentration:
/// `E(C) = emax · C^γ / (EC50^γ + C^γ)`, C and EC50 in ng/mL. What `emax` means (a fraction of
/// baseline, or NRS points) is said where the relation is used.
public struct EmaxRelation: Sendable, Equatable {
  public var emax: Double
  /// Concentration at half-maximal effect, ng/mL.
  public var ec50: Double
  /// Hill coefficient (steepness).
  public var gamma: Double

  public init(emax: Double, ec50: Double, gamma: Double) {
    self.emax = emax
    self.ec50 = ec50
    self.gamma = gamma
  }

  /// The effect at `c` ng/mL (0 for c ≤ 0).
  public func effect(at c: Double) -> Double {
    guard c > 0, ec50 > 0 else { return 0 }
    let x = PatientMath.pow(c / ec50, gamma)
    return emax * x / (1 + x)
  }
}
