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

/// An `EmaxRelation` prepared for evaluation at many concentrations: γ·log EC50 computed once,
/// so each evaluation is one `exp` given log C (shared by every relation of a step).
struct PreparedEmax: Sendable {
  let emax: Double
  let gamma: Double
  let gammaLogEC50: Double

  init(_ r: EmaxRelation) {
    emax = r.ec50 > 0 ? r.emax : 0
    gamma = r.gamma
    gammaLogEC50 = r.ec50 > 0 ? r.gamma * PatientMath.log(r.ec50) : 0
  }

  /// Same EC50 and γ as `other`, with a non-zero Emax there: this effect is `other`'s scaled by
  /// the ratio of the Emax values.
  func sameCurve(as other: PreparedEmax) -> Bool {
    gamma == other.gamma && gammaLogEC50 == other.gammaLogEC50 && other.emax != 0
  }

  /// The effect at the concentration whose natural log is `logC` (nil: C ≤ 0, no effect).
  func effect(logC: Double?) -> Double {
    guard let logC else { return 0 }
    let x = PatientMath.exp(gamma * logC - gammaLogEC50)
    return emax * x / (1 + x)
  }
}
