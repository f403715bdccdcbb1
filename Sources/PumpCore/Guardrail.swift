/// Hard and soft bounds for one prescription field (LoopKit's Guardrail, Open PCA's drug-library
/// record). Values outside the hard bounds are rejected; values outside the soft bounds need an
/// explicit, logged clinician confirmation.
public struct Guardrail: Hashable, Sendable {
  public var lowerHard: Int64
  public var lowerSoft: Int64
  public var upperSoft: Int64
  public var upperHard: Int64

  /// Bounds must be ordered lowerHard ≤ lowerSoft ≤ upperSoft ≤ upperHard; `isWellFormed` checks.
  public init(lowerHard: Int64, lowerSoft: Int64, upperSoft: Int64, upperHard: Int64) {
    self.lowerHard = lowerHard
    self.lowerSoft = lowerSoft
    self.upperSoft = upperSoft
    self.upperHard = upperHard
  }

  /// A guardrail with no soft band.
  public init(hard lower: Int64, _ upper: Int64) {
    self.init(lowerHard: lower, lowerSoft: lower, upperSoft: upper, upperHard: upper)
  }

  public var isWellFormed: Bool {
    lowerHard <= lowerSoft && lowerSoft <= upperSoft && upperSoft <= upperHard
  }

  public enum Classification: UInt8, Hashable, Sendable {
    case withinSoft
    case belowSoft
    case aboveSoft
    case belowHard
    case aboveHard

    public var isHardViolation: Bool { self == .belowHard || self == .aboveHard }
    public var isSoftViolation: Bool { self == .belowSoft || self == .aboveSoft }
  }

  public func classify(_ value: Int64) -> Classification {
    if value < lowerHard { return .belowHard }
    if value > upperHard { return .aboveHard }
    if value < lowerSoft { return .belowSoft }
    if value > upperSoft { return .aboveSoft }
    return .withinSoft
  }

  /// This guardrail with each bound scaled by a patient weight (per-kg bounds → absolute), rounded
  /// toward the inside of the band (lower bounds up, upper bounds down): the safe side.
  public func scaled(byWeight weight: Grams) -> Guardrail {
    Guardrail(
      lowerHard: Arith.mulDivCeil(lowerHard, weight.rawValue, 1000),
      lowerSoft: Arith.mulDivCeil(lowerSoft, weight.rawValue, 1000),
      upperSoft: Arith.mulDivFloor(upperSoft, weight.rawValue, 1000),
      upperHard: Arith.mulDivFloor(upperHard, weight.rawValue, 1000))
  }

  /// The tighter of two guardrails, bound by bound.
  public func intersected(with other: Guardrail) -> Guardrail {
    Guardrail(
      lowerHard: max(lowerHard, other.lowerHard),
      lowerSoft: max(lowerSoft, other.lowerSoft),
      upperSoft: min(upperSoft, other.upperSoft),
      upperHard: min(upperHard, other.upperHard))
  }
}
