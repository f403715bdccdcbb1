import PumpCore

/// Carries a trace's actions to a pump and reports what it was seen to do. `TraceRunner`
/// walks the timeline and calls the driver; `TraceChecker` then reads the observations. The
/// offline driver (`OfflineDriver`) runs PumpCore on simulated hardware in virtual time; the
/// online driver (`OnlineDriver`) sends the same actions to pumpsim over the serial line, each
/// in its protocol role (`TraceAction.role`, `TraceAction.hostRequest`), and turns device
/// events and STATUS samples into the same `ObservedEvent`s. Calls come in non-decreasing time
/// order.
public protocol TraceDriver {
  /// Powers the pump on at time 0 and brings it to `setup.start` (self-test passed,
  /// prescription programmed and confirmed, started).
  mutating func begin(_ setup: TraceSetup, log: inout ObservationLog) throws(TraceError)

  /// Applies one action at `t` (`line`: its trace line, for command outcomes). Vitals series
  /// never reach the driver: the runner expands them into single samples.
  mutating func apply(
    _ action: TraceAction, at t: Milliseconds, line: Int, log: inout ObservationLog)

  /// Feeds one vitals sample at `t` (a series' sample): the same as `apply(.vitals(s), at: t,
  /// line: 0, log:)`, which is what it does unless the driver has a shorter way.
  mutating func apply(vitals s: VitalsSample, at t: Milliseconds, log: inout ObservationLog)

  /// Lets time run to `t` with nothing else happening, observing everything on the way, and
  /// samples the delivered total at `t`. The runner calls it at every instant of interest
  /// (`Trace.instants`) before the actions of that instant, and at the end.
  mutating func advance(to t: Milliseconds, log: inout ObservationLog)

  /// Work done so far (offline: control steps), for benchmarks and reports.
  var work: Int64 { get }
}

extension TraceDriver {
  public mutating func apply(vitals s: VitalsSample, at t: Milliseconds, log: inout ObservationLog)
  {
    apply(.vitals(s), at: t, line: 0, log: &log)
  }
}
