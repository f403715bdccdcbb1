/// Safety rules a test may deliberately break (`PumpController.debugBrokenRule`, DEBUG builds
/// only), to show that the invariants and the explorers catch the break (issue 12).
public enum DebugBrokenRule: UInt8, Hashable, Sendable {
  /// Stop releases the interlock latch (the defect REQ-SAFE-LATCH-01 fixed: acknowledge → stop
  /// → program → start infused again without a reset).
  case stopReleasesLatch = 1
  /// A clinician reset is accepted while the interlock condition is present.
  case resetIgnoresCondition = 2
  /// A stale vital counts as one warning whatever its last confirmed level.
  case staleMasksCritical = 3
  /// A new therapy's start forgets the rate-increase interval (the defect REQ-RX-RATE-INCREASE-03
  /// fixed: stop, program a higher basal, start raised it inside the interval).
  case startForgetsRateInterval = 4
}
