/// When the patient presses the PCA button: while pain is at or above `painThreshold`, presses
/// arrive at `pressesPerMinute` (a Poisson process, seeded). The patient cannot see the lockout,
/// so presses continue during it, as real PCA logs show.
public struct DemandParameters: Sendable, Equatable {
  public var painThreshold: Double
  public var pressesPerMinute: Double

  public init(painThreshold: Double = 4, pressesPerMinute: Double = 0.2) {
    self.painThreshold = painThreshold
    self.pressesPerMinute = pressesPerMinute
  }
}
