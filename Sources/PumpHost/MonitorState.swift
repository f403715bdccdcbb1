import PumpCore
import PumpProtocol

/// What a monitor shows: the device, the link, the latest telemetry, a vitals history for
/// sparklines, and an event log. A value fed with observations and the time they arrived
/// (monotonic ms); no I/O, so front ends (dashboard, plain log) and tests share it.
public struct MonitorState: Sendable {
  /// One line of the event log.
  public struct Entry: Hashable, Sendable {
    public var at: Int64
    public var text: String
    /// 0 info, 1 low, 2 medium, 3 high (alarm priority), for colouring.
    public var level: Int
  }

  /// One vitals sample, timed by when the device received it.
  public struct VitalsPoint: Hashable, Sendable {
    public var at: Int64
    public var sample: VitalsSample
  }

  public var device: DeviceInfo?
  public var link = LinkState.connecting
  public var telemetry: Telemetry?
  /// The simulated patient's true state (`PATIENT`), when the device has one and the front
  /// end reads it (`MonitorSession.Options.patientPollMs`).
  public var patient: PatientReadout?
  /// When `patient` arrived (monotonic ms).
  public var patientAt: Int64 = 0
  /// When `telemetry` arrived (monotonic ms).
  public var telemetryAt: Int64 = 0
  /// Vitals samples of the last `historyMs`, oldest first.
  public private(set) var vitals: [VitalsPoint] = []
  /// Event log, oldest first, at most `maxEntries`.
  public private(set) var log: [Entry] = []
  /// Result of the last command (`ACK START`, `NAK …`), shown on the status line.
  public var lastResult: String = ""
  public var stats = LinkStats()
  /// Requested and actual line settings.
  public var lineSettings: (requested: String, actual: String)?
  /// The port as resolved.
  public var port: String = ""
  public var role: Role = .observer

  public var historyMs: Int64 = 10 * 60_000
  public var maxEntries = 500

  public init() {}

  /// Folds one observation in.
  public mutating func apply(_ o: ClientObservation, at now: Int64) {
    switch o {
    case .telemetry(let t, _): update(t, at: now)
    case .event(let e, _):
      var level = 0
      if case .alarmRaised(_, let p) = e { level = Int(p.rawValue) }
      add(Describe.event(e), level: level, at: now)
    case .gap(let missing): add("link: \(missing) device frame(s) missed", level: 1, at: now)
    case .dropped(let why): add("link: dropped frame (\(why))", level: 1, at: now)
    }
  }

  /// A telemetry snapshot (TLM or STATUS reply).
  public mutating func update(_ t: Telemetry, at now: Int64) {
    if let age = t.vitalsAge, hasValues(t.vitals) {
      let at = now - age.rawValue
      let isNew: Bool
      if let last = vitals.last {
        isNew = at > last.at + 500 || last.sample != t.vitals
      } else {
        isNew = true
      }
      if isNew { vitals.append(VitalsPoint(at: at, sample: t.vitals)) }
    }
    vitals.removeAll { $0.at < now - historyMs }
    telemetry = t
    telemetryAt = now
  }

  /// Adds a line to the event log.
  public mutating func add(_ text: String, level: Int = 0, at now: Int64) {
    log.append(Entry(at: now, text: text, level: level))
    if log.count > maxEntries { log.removeFirst(log.count - maxEntries) }
  }

  /// The last `n` values of a vital, oldest first (missing samples skipped).
  public func series(_ v: Vital, last n: Int) -> [Int32] {
    Array(vitals.compactMap { $0.sample[v] }.suffix(n))
  }

  func hasValues(_ v: VitalsSample) -> Bool {
    v.sbp != nil || v.dbp != nil || v.hr != nil || v.spo2 != nil || v.rr != nil
  }
}
