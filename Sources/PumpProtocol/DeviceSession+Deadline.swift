import PumpCore

extension DeviceSession {
  /// The next instant `tick(now:)` has something to do, on the session's clock (the real
  /// monotonic clock): the heartbeat timeout of an open session (the first instant past
  /// `heartbeatTimeout` since its last authenticated traffic) and the next telemetry frame when a
  /// rate is set and a host said HELLO. nil: nothing until the next byte arrives, so a super-loop
  /// may sleep until input. Login timeouts and back-offs need no wake: they are checked when the
  /// next LOGIN or AUTH arrives.
  public func nextDeadline() -> Milliseconds? {
    var next: Milliseconds? = nil
    func consider(_ t: Milliseconds) { if next.map({ t < $0 }) ?? true { next = t } }
    if let a = active { consider(a.lastTraffic + config.heartbeatTimeout + Milliseconds(1)) }
    if telemetryHertz > 0, let t = nextTelemetry { consider(t) }
    return next
  }
}
