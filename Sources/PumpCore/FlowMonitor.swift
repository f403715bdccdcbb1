/// Over- and under-infusion detection: measured (motor feedback) versus commanded volume over the
/// profile's observation window (Open PCA Pump: 5 min basal, 1 min bolus; UMN: over-infusion
/// immediately when far above the command).
///
/// Volumes are compared scaled by 3600 (µL/h × ms = nL × 3600), so commanded volume is exact.
struct FlowMonitor: Sendable {
  var windowStart: Milliseconds
  var lastAccrue: Milliseconds
  var rate: MicrolitersPerHour = .zero
  var commandedScaled: Int64 = 0
  var measuredNanoliters: Int64 = 0
  var window: Milliseconds
  /// Measured flow of the last complete window, µL/h.
  var lastMeasuredRate: MicrolitersPerHour = .zero

  init(now: Milliseconds, window: Milliseconds) {
    windowStart = now
    lastAccrue = now
    self.window = window
  }

  /// Adds the commanded volume up to `now` at the rate commanded so far.
  mutating func accrue(now: Milliseconds) {
    guard now > lastAccrue else { return }
    commandedScaled = Arith.addSat(commandedScaled, rate.rawValue * (now - lastAccrue).rawValue)
    lastAccrue = now
  }

  /// Starts a new window for a new commanded rate.
  mutating func restart(now: Milliseconds, rate: MicrolitersPerHour, window: Milliseconds) {
    accrue(now: now)
    self.rate = rate
    self.window = window
    windowStart = now
    commandedScaled = 0
    measuredNanoliters = 0
  }

  mutating func measured(_ nl: Int64) { measuredNanoliters = Arith.addSat(measuredNanoliters, nl) }

  /// Over-infusion now: measured above commanded + tolerance, beyond step quantisation.
  func overInfusing(tolerancePercent: Int64, stepNanoliters: Int64) -> Bool {
    let slack = 4 * stepNanoliters * 3600 * 100
    let measured = measuredNanoliters * 3600 * 100
    return measured > commandedScaled * (100 + tolerancePercent) + slack
  }

  /// At the end of a window: under-infusion verdict, and a new window at the same rate.
  mutating func closeWindowIfDue(
    now: Milliseconds, tolerancePercent: Int64, stepNanoliters: Int64
  ) -> Bool? {
    guard now - windowStart >= window else { return nil }
    accrue(now: now)
    let span = (now - windowStart).rawValue
    lastMeasuredRate = MicrolitersPerHour(Arith.mulDivFloor(measuredNanoliters, 3600, max(span, 1)))
    let slack = 2 * stepNanoliters * 3600 * 100
    let under =
      commandedScaled > 0
      && measuredNanoliters * 3600 * 100 + slack < commandedScaled * (100 - tolerancePercent)
    restart(now: now, rate: rate, window: window)
    return under
  }

  var windowEnd: Milliseconds { windowStart + window }
}
