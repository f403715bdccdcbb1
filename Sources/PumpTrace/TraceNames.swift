import PumpCore
import PumpProtocol

/// Traces, reports and the wire share one table of names: `WireNames` (PumpProtocol). This alias
/// keeps the trace code's spelling; the trace-only `ModePattern` is named below from the same
/// tables.
public typealias TraceNames = WireNames

extension WireNames {
  /// A mode pattern as a trace writes it: `infusing` (any phase), `infusing(basal)`,
  /// `paused(alarm)`, `fault(journal-version)`.
  public static func name(_ m: ModePattern) -> String {
    switch m {
    case .selfTest: "self-test"
    case .idle: "idle"
    case .programmed: "programmed"
    case .infusing(let p): p.map { "infusing(\(name($0, in: phases)))" } ?? "infusing"
    case .paused(let r): r.map { "paused(\(name($0, in: pauseReasons)))" } ?? "paused"
    case .kvo: "kvo"
    case .complete: "complete"
    case .interlockStopped: "interlock-stopped"
    case .fault(let f): f.map { "fault(\(name($0, in: allFaults)))" } ?? "fault"
    }
  }
}
