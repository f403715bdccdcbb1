import PumpCore
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// Records a live session as a trace (docs/TRACES.md): a header from the device and the first
/// prescription programmed (`profile`, prescription fields, `start` from the first mode seen, the
/// device id in a comment), then timed lines: every command sent as its trace action (`press`,
/// `program`, `rate 6 mg/h`, `inject pressure downstream 12 psi`, `clock advance 60s`…), vitals
/// seen, and expectations derived from what the device reported: `expect accepted` /
/// `expect rejected(reason)` after each command, `expect mode M at T` for each mode change,
/// `expect alarm X priority P within 2s`, `expect alarm X cleared within 2s`, `expect bolus
/// granted|denied(reason)` right after its press line (it judges the nearest press above),
/// `expect motor running|stopped within 2s`. Times count from
/// the recorder's creation plus every clock advance. The file is rewritten whole at each `flush`.
///
/// It hears a session through plain calls (`sent`, `replied`, `telemetry`, `event`, `gap`,
/// `linkLost`, `linkBack`) on PumpProtocol values; PumpHost makes it a `SessionRecorder`, so the
/// recorder and the trace language live in one module (PumpTrace) with no serial stack.
public final class TraceRecorder {
  struct Line {
    var t: Int64
    var order: Int
    var text: String
  }

  public let path: String
  private let start: Int64
  private var lines: [Line] = []
  private var order = 0
  private var advanced: Int64 = 0
  private var device: DeviceInfo?
  private var firstMode: Mode?
  private var prescription: Prescription?
  private var telemetryLimits: (Micrograms, Micrograms)?
  private var lastPress: Int64?
  /// A bolus decision seen before its press line was written (`bolusDecision`).
  private var pendingBolus: String?
  private var lastMotorRunning: Bool?
  private var lastVitalsAt: Int64?
  private var lastVitals: VitalsSample?
  private var sentVitals: [(at: Int64, VitalsSample)] = []
  private var lostAt: Int64?
  /// Trace time of the last action line: each action gets its own millisecond, so an effect
  /// timed with its command never shares an instant with the next command.
  private var lastActionT: Int64 = -1
  /// Send time of the request awaiting its reply: events arriving meanwhile are its effects
  /// and are timed with it (the replayer applies a command and its effects at one instant).
  private var outstandingSince: Int64?
  /// Trace time of the outstanding action line.
  private var actionT: Int64?
  private var dirty = true
  private let wallStart: String
  /// The prescription the header shows when no PROGRAM was seen (the caller's default).
  private let fallback: Prescription

  /// Records into `path` (created or replaced at each flush); `fallback` is the prescription
  /// the header shows when the session programs none (pumpmon passes its own default).
  public init(path: String, now: Int64, fallback: Prescription) {
    self.path = path
    start = now
    self.fallback = fallback
    var t = Glibc.time(nil)
    var tmv = tm()
    gmtime_r(&t, &tmv)
    var buf = [CChar](repeating: 0, count: 32)
    _ = strftime(&buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv)
    wallStart = String(
      decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Trace time of a monotonic instant.
  func traceTime(_ at: Int64) -> Int64 { max(at - start, 0) + advanced }

  func add(_ text: String, at: Int64) {
    addTrace(text, t: traceTime(at))
  }

  /// A bolus decision judges the nearest press line above it (docs/TRACES.md): its events come
  /// before the BOLUS reply that writes the press line, so it is written right after that line.
  /// A decision with no press of this recording stays a comment.
  func bolusDecision(_ text: String, t: Int64) {
    if lastPress != nil {
      pendingBolus = text
    } else {
      addTrace("# \(text.dropFirst(7)) (no press in this recording)", t: t)
    }
  }

  /// Writes the decision held for the press just written.
  func flushBolus(_ t: Int64) {
    if let p = pendingBolus { addTrace(p, t: t) }
    pendingBolus = nil
    lastPress = nil
  }

  func addTrace(_ text: String, t: Int64) {
    order += 1
    lines.append(Line(t: t, order: order, text: text))
    dirty = true
  }

  public func connected(_ info: DeviceInfo, at: Int64) {
    if device == nil { device = info }
  }

  public func sent(_ request: HostRequest, at: Int64) {
    var t = traceTime(at)
    if Self.action(request) != nil {
      t = max(t, lastActionT + 1)
      lastActionT = t
    }
    actionT = t
    // A clock advance's effects happen during the jump: check them at its end.
    if case .clock(.advance(let d)) = request { t += d.rawValue }
    outstandingSince = t
    if case .patientBolus = request { lastPress = t }
  }

  public func replied(_ request: HostRequest, _ reply: DeviceReply?, at: Int64) {
    defer {
      outstandingSince = nil
      actionT = nil
    }
    guard var action = Self.action(request) else { return }
    // A prescription other than the header's is a re-programming line with its changed fields.
    if case .program(let p) = request, let base = prescription, p != base {
      action = TraceText.program(p, from: base)
    }
    guard let reply else {
      add("# \(action): no reply (outcome uncertain)", at: at)
      return
    }
    // Actions are timed when sent (one request is outstanding at a time).
    let t = actionT ?? traceTime(at)
    switch reply.result {
    case .ack:
      if case .program(let p) = request {
        if prescription == nil { prescription = p }
      }
      if case .vitals(let v) = request { sentVitals.append((at, v)) }
      addTrace(action, t: t)
      if case .patientBolus = request { flushBolus(t) }
      if case .clock(.advance(let d)) = request {
        advanced += d.rawValue
        return
      }
      if Self.isClinicianCommand(request) { addTrace("expect accepted", t: t) }
    case .nak(let n):
      switch n.code {
      case .rejected where Self.isClinicianCommand(request):
        addTrace(action, t: t)
        let why =
          Rejection(rawValue: UInt8(clamping: n.detail)).map { "(\(WireNames.name($0)))" } ?? ""
        addTrace("expect rejected\(why)", t: t)
      case .bolusDenied:
        addTrace(action, t: t)
        flushBolus(t)
      default:
        addTrace("# \(action) refused: \(WireNames.describe(n))", t: t)
      }
    }
  }

  /// Device frames were lost (a device sequence gap).
  public func gap(_ missing: UInt32, at: Int64) {
    add("# \(missing) device frame(s) missed here", at: at)
  }

  /// A telemetry sample (also a STATUS reply).
  public func telemetry(_ t: Telemetry, at: Int64) {
    if firstMode == nil {
      firstMode = t.mode
      telemetryLimits = (t.limit1h, t.limit4h)
      dirty = true
    }
    let running = t.commandedRate > .zero
    if let last = lastMotorRunning, last != running {
      add("expect motor \(running ? "running" : "stopped") within 2s", at: at)
    }
    lastMotorRunning = running
    if let age = t.vitalsAge,
      t.vitals.sbp != nil || t.vitals.hr != nil || t.vitals.dbp != nil
        || t.vitals.spo2 != nil || t.vitals.rr != nil
    {
      let sampleAt = at - age.rawValue
      let isNew = lastVitalsAt.map { sampleAt > $0 + 500 } ?? true || lastVitals != t.vitals
      let ours = sentVitals.contains { abs($0.at - sampleAt) < 1500 && $0.1 == t.vitals }
      if isNew && !ours {
        add("vitals \(TraceText.vitals(t.vitals))", at: max(sampleAt, start))
      }
      if isNew {
        lastVitalsAt = sampleAt
        lastVitals = t.vitals
      }
    }
  }

  /// A device event.
  public func event(_ e: DeviceEvent, at arrival: Int64) {
    let t = outstandingSince ?? traceTime(arrival)
    switch e {
    case .modeChanged(let m):
      if firstMode == nil { firstMode = m }
      addTrace("expect mode \(WireNames.name(m)) at \(Self.time(t))", t: t)
    case .alarmRaised(let c, let p):
      addTrace("expect alarm \(WireNames.name(c)) priority \(WireNames.name(p)) within 2s", t: t)
    case .alarmCleared(let c): addTrace("expect alarm \(WireNames.name(c)) cleared within 2s", t: t)
    case .alarmAcknowledged(let c): addTrace("# alarm \(WireNames.name(c)) acknowledged", t: t)
    case .bolusGranted:
      bolusDecision("expect bolus granted", t: t)
    case .bolusDenied(let why, _):
      bolusDecision("expect bolus denied(\(WireNames.name(why)))", t: t)
    case .interlock(let stopped, let mask):
      addTrace("# interlock \(stopped ? "stop" : "cleared") (\(WireNames.vitalsMask(mask)))", t: t)
    case .audioPauseBroken(let c):
      addTrace("expect audio-pause broken by \(WireNames.name(c)) within 2s", t: t)
    case .occlusionReleased(let v):
      addTrace("# occlusion released \(Quantity.format(v)) into the line", t: t)
    }
  }

  /// The link went down (`why`: the reason shown).
  public func linkLost(_ why: String, at: Int64) {
    if lostAt == nil {
      lostAt = at
      add("# link lost: \(why)", at: at)
    }
  }

  /// The link is back (connected or logged in again).
  public func linkBack(at: Int64) {
    if let l = lostAt {
      add(
        "# link back after \(Self.duration(at - l)) (a restarted simulator comes back paused(power-cycle): replay it as 'power lost' / 'power restored')",
        at: at)
      lostAt = nil
    }
  }

  /// The trace text so far.
  public func text() -> String {
    var out = "# Recorded by pumpmon record on \(wallStart)"
    if let d = device {
      out +=
        " from device \(d.deviceId) (firmware \(d.firmwareVersion), protocol \(d.protocolVersion))"
    }
    out += ".\n# Simulator output, not a medical device. Times are since the recording started.\n"
    out += "profile: \(device?.hardwareProfile ?? "syringe-pca-60ml")\n"
    out += "name: \(device.map { "session-\($0.deviceId)" } ?? "session")\n"
    let p = prescription ?? fallback
    if prescription == nil {
      out += "# No PROGRAM was seen: the prescription below is pumpmon's default"
      if let (l1, l4) = telemetryLimits, l1 > .zero {
        out += " with the device's limits (1 h \(Quantity.format(l1)), 4 h \(Quantity.format(l4)))"
      }
      out += ".\n"
    }
    var shown = p
    if prescription == nil, let (a, b) = telemetryLimits, a > .zero {
      shown.limit1h = a
      shown.limit4h = b
    }
    for (key, value) in TraceText.prescriptionFields(shown) { out += "\(key): \(value)\n" }
    let (startWord, note) = Self.startState(firstMode)
    if let note { out += "# \(note)\n" }
    out += "start: \(startWord)\n\n"
    for l in lines.sorted(by: { ($0.t, $0.order) < ($1.t, $1.order) }) {
      // A timed line needs an action: notes become comments that carry their time.
      if l.text.hasPrefix("# ") {
        out += "# \(Self.time(l.t)): \(l.text.dropFirst(2))\n"
      } else {
        out += "\(Self.time(l.t)) \(l.text)\n"
      }
    }
    return out
  }

  public func flush() {
    guard dirty else { return }
    let bytes = Array(text().utf8)
    let tmp = path + ".tmp"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      off += n
    }
    Glibc.close(fd)
    if off == bytes.count { rename(tmp, path) } else { unlink(tmp) }
    dirty = false
  }

  static func startState(_ m: Mode?) -> (String, String?) {
    switch m {
    case .idle?, nil: ("idle", m == nil ? "no mode was seen before the first line" : nil)
    case .selfTest?: ("self-test", nil)
    case .programmed?:
      (
        "programmed",
        "the pump was already programmed; the header shows the prescription programmed during the recording, or the default"
      )
    case .infusing?: ("infusing", nil)
    case .some(let other):
      (
        "infusing",
        "the recording started in \(WireNames.name(other)); a trace can only start in self-test, idle, programmed or infusing"
      )
    }
  }

  /// Commands whose outcome a trace can check (`expect accepted` / `rejected`): the clinician's.
  static func isClinicianCommand(_ r: HostRequest) -> Bool {
    switch r {
    case .program, .confirmSoftLimits, .start, .pause, .resume, .stop, .changeBasalRate,
      .clinicianBolus, .acknowledgeAlarms, .audioPause, .clinicianReset:
      true
    default: false
    }
  }

  /// The trace action for a request, nil for link requests and queries.
  static func action(_ r: HostRequest) -> String? {
    func q(_ s: String) -> String { s }
    switch r {
    case .program: return "program"
    case .confirmSoftLimits: return "confirm"
    case .start: return "start"
    case .pause: return "pause"
    case .resume: return "resume"
    case .stop: return "stop"
    case .changeBasalRate(let v): return "rate \(Quantity.format(v))"
    case .patientBolus: return "press"
    case .clinicianBolus(let d): return "clinician-bolus \(Quantity.format(d))"
    case .vitals(let v): return "vitals \(TraceText.vitals(v))"
    case .acknowledgeAlarms: return "ack"
    case .audioPause: return "silence"
    case .clinicianReset: return "reset"
    case .clock(.advance(let d)): return "clock advance \(duration(d.rawValue))"
    case .inject(let i):
      switch i {
      case .downstreamPressure(let p): return "inject pressure downstream \(Quantity.format(p))"
      case .upstreamPressure(let p): return "inject pressure upstream \(Quantity.format(p))"
      case .door(let open): return "inject door \(open ? "open" : "closed")"
      case .airBubble(let v): return "inject air \(Quantity.format(v))"
      case .mains(let on): return "inject mains \(on ? "on" : "off")"
      case .batteryRemaining(let ms): return "inject battery \(duration(ms.rawValue))"
      case .motorStall(let on): return "inject motor stall \(on ? "on" : "off")"
      case .motorRunaway(let on): return "inject motor runaway \(on ? "on" : "off")"
      case .sensorFailure(let on): return "inject sensor-failure \(on ? "on" : "off")"
      case .reservoir(let v): return "inject reservoir \(Quantity.format(v))"
      case .downstreamOcclusion(let on): return "inject occlusion downstream \(on ? "on" : "off")"
      case .upstreamOcclusion(let on): return "inject occlusion upstream \(on ? "on" : "off")"
      case .power(.lost): return "power lost"
      case .power(.restored): return "power restored"
      case .power(.restoredSelfTestFailing): return "power restored self-test fail"
      case .hostLink(let up): return "link \(up ? "up" : "down")"
      case .fault(let f): return "inject fault \(WireNames.name(f, in: WireNames.faults))"
      }
    default: return nil
    }
  }

  /// A trace time: `12.345s` (whole ms).
  static func time(_ ms: Int64) -> String {
    let frac = ms % 1000
    if frac == 0 { return "\(ms / 1000)s" }
    return "\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)s"
  }

  /// A trace duration (`TraceTime.formatDuration`, the one duration formatter of traces).
  static func duration(_ ms: Int64) -> String { TraceTime.formatDuration(Milliseconds(ms)) }
}
