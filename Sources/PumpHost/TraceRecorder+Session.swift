import PumpProtocol
import PumpTrace

/// The trace recorder (PumpTrace) hears a host session through `SessionRecorder`.
extension TraceRecorder: SessionRecorder {
  public func observed(_ o: ClientObservation, at: Int64) {
    switch o {
    case .telemetry(let t, _): telemetry(t, at: at)
    case .event(let e, _): event(e, at: at)
    case .gap(let n): gap(n, at: at)
    case .dropped: break
    }
  }

  public func linkChanged(_ s: LinkState, at: Int64) {
    switch s {
    case .lost(let why): linkLost(why, at: at)
    case .loggedIn, .connected: linkBack(at: at)
    default: break
    }
  }
}
