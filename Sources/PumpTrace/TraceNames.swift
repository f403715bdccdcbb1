import PumpCore
import PumpProtocol

/// The names traces and reports use for PumpCore's enums (the tables shared with hosts are
/// `WireNames`'s, so a name seen in pumpmon pastes into a trace): lowercase words joined by '-'.
/// Parsing ignores case, '-' and '_' (`door-open`, `DoorOpen` and `door_open` are one name).
public enum TraceNames {
  public static let alarms: [(String, AlarmCode)] = WireNames.alarms

  public static let priorities: [(String, AlarmPriority)] = [
    ("high", .high), ("medium", .medium), ("low", .low), ("info", .info),
  ]

  public static let denials: [(String, BolusDenial)] = WireNames.denials

  public static let rejections: [(String, Rejection)] = WireNames.rejections

  public static let phases: [(String, InfusionPhase)] = WireNames.phases

  public static let pauseReasons: [(String, PauseReason)] = WireNames.pauseReasons

  public static let faults: [(String, FaultCode)] = WireNames.faults

  public static let careAreas: [(String, CareArea)] = [
    ("acute-post-op", .acutePostOp), ("chronic-pain", .chronicPain),
    ("paediatric", .paediatric),
  ]

  public static let vitals: [(String, Vital)] = [
    ("SBP", .sbp), ("DBP", .dbp), ("HR", .hr), ("SpO2", .spo2), ("RR", .rr),
  ]

  /// The name of a value in `table`.
  public static func name<T: Equatable>(_ value: T, in table: [(String, T)]) -> String {
    table.first(where: { $0.1 == value })?.0 ?? "?"
  }

  public static func name(_ a: AlarmCode) -> String { name(a, in: alarms) }
  public static func name(_ p: AlarmPriority) -> String { name(p, in: priorities) }
  public static func name(_ d: BolusDenial) -> String { name(d, in: denials) }
  public static func name(_ r: Rejection) -> String { name(r, in: rejections) }

  /// A mode as a trace writes it: `infusing(basal)`, `paused(alarm)`, `interlock-stopped` —
  /// the wire's name (`WireNames.name`), every fault included (`fault(journal-version)`).
  public static func name(_ m: Mode) -> String { WireNames.name(m) }

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
    case .fault(let f): f.map { "fault(\(name($0, in: faults)))" } ?? "fault"
    }
  }

  /// Looks `word` up in `table`, ignoring case, '-' and '_'.
  public static func lookup<T>(_ word: String, in table: [(String, T)]) -> T? {
    let key = fold(word)
    return table.first(where: { fold($0.0) == key })?.1
  }

  /// The names of `table`, comma-separated, for error messages.
  public static func list<T>(_ table: [(String, T)]) -> String {
    table.map(\.0).joined(separator: ", ")
  }

  static func fold(_ s: String) -> String {
    String(s.lowercased().unicodeScalars.filter { $0 != "-" && $0 != "_" })
  }
}
