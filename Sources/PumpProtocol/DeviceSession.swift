import PumpCore

/// The device end of one serial link (docs/PROTOCOL.md §6–9): framing, reply cache, login,
/// MAC and sequence checks, roles, heartbeat, telemetry schedule and audit. A struct whose
/// `mutating func`s return `DeviceSessionAction`s for the firmware to carry out; no I/O, time
/// passed in, nonces drawn from the injected generator.
public struct DeviceSession {
  struct Active {
    var role: Role
    var key: SessionKey
    var lastSeq: UInt32
    var lastTraffic: Milliseconds
    /// The LOGIN/AUTH replies of this session's handshake are still in the reply cache.
    var handshakeCached: Bool
  }

  struct PendingLogin {
    var role: Role
    var context: String
    var sessionId: [UInt8]
    var expires: Milliseconds
  }

  public let config: DeviceSessionConfig
  let secret: DeviceSecret
  var random: any RandomNumberGenerator
  var decoder = FrameDecoder()
  var cache: ReplyCache
  var active: Active?
  /// Key of the last ended session, to answer its late frames with `sessionExpired`.
  var expired: SessionKey?
  var pendingLogin: PendingLogin?
  /// Failed-login back-off per role (§7.2).
  var backoff: [Role: Backoff] = [:]
  /// Failed AUTHs in a row on this line, any role.
  var lineFailures = 0
  /// The link-security alarm was requested (`.securityAlert(true)`) and not yet cleared.
  public internal(set) var securityAlert = false
  var negotiated: ProtocolVersion?
  var nextTelemetry: Milliseconds?
  var deviceSeq: UInt32 = 0
  /// Requests handed out with `.execute` and not yet completed (seq, frame body): a byte copy
  /// arriving meanwhile is a retransmission, not a stale sequence (exactly one reply).
  var executing: [(seq: UInt32, body: [UInt8], copies: Int)] = []

  /// Protocol counters (COUNTERS reply, with `frameCounters`).
  public internal(set) var counters = SessionCounters()
  /// Telemetry rate in Hz (0 = off); set by TLMRATE.
  public internal(set) var telemetryHertz: Int
  /// Full frames only, or compact ones between keyframes (TLMRATE's format field).
  public internal(set) var telemetryFormat = TelemetryFormat.full
  /// Telemetry frames since the last full TLM (compact format: a keyframe every `telemetryHertz`).
  var framesSinceKeyframe = 0
  /// Body and frame storage reused for every telemetry frame.
  var scratchBody = FieldWriter(kind: "TLM", seq: 0)

  /// A session for the device holding `secret`, drawing nonces and session ids from `random`
  /// (the firmware passes a system generator, tests a seeded one).
  public init(
    config: DeviceSessionConfig, secret: DeviceSecret, random: some RandomNumberGenerator
  ) {
    self.config = config
    self.secret = secret
    self.random = random
    cache = ReplyCache(capacity: config.replyCacheSize)
    telemetryHertz = min(max(config.telemetryHertz, 0), 100)
  }

  /// The decoder's framing counters.
  public var frameCounters: FrameCounters { decoder.counters }
  /// All link counters.
  public var linkCounters: LinkCounters {
    LinkCounters(frames: decoder.counters, session: counters)
  }
  /// The logged-in role, or observer.
  public var role: Role { active?.role ?? .observer }
  /// True while an authenticated session is open.
  public var isAuthenticated: Bool { active != nil }
  /// The negotiated protocol version (nil before HELLO).
  public var protocolVersion: ProtocolVersion? { negotiated }

  /// Feeds received bytes through the session's decoder.
  public mutating func receive(bytes: some Sequence<UInt8>, now: Milliseconds)
    -> [DeviceSessionAction]
  {
    receive(bytes: Array(bytes), now: now)
  }

  /// Feeds received bytes through the session's decoder (the concrete entry: a generic one
  /// called from another module runs unspecialised, through witness tables per byte).
  public mutating func receive(bytes: [UInt8], now: Milliseconds) -> [DeviceSessionAction] {
    var actions: [DeviceSessionAction] = []
    var i = 0
    while let unit = decoder.next(bytes[...], at: &i) {
      actions += receive(frame: decoder.frame(for: unit), now: now)
    }
    return actions
  }

  /// Handles one decoded frame or console line.
  public mutating func receive(frame: Frame, now: Milliseconds) -> [DeviceSessionAction] {
    switch frame {
    case .console(let line): return console(line, now: now)
    case .framed(let body): return framed(body, now: now)
    case .refused(let why): return refusedLine(why)
    }
  }

  /// Heartbeat and telemetry schedule: call every few milliseconds (or at least every 10 ms at
  /// 100 Hz telemetry).
  public mutating func tick(now: Milliseconds) -> [DeviceSessionAction] {
    var actions: [DeviceSessionAction] = []
    if let a = active, now - a.lastTraffic > config.heartbeatTimeout {
      endSession()
      actions.append(.linkLost)
      actions.append(
        .audit(
          AuditRecord(
            time: now, role: a.role, command: "SESSION", seq: nil, outcome: .rejected,
            reason: "heartbeat timeout: host link lost")))
    }
    if let p = pendingLogin, now >= p.expires { pendingLogin = nil }
    if telemetryHertz > 0, let next = nextTelemetry, now >= next {
      let period = Milliseconds(Int64(1000 / telemetryHertz))
      var n = next + period
      if n <= now { n = now + period }
      nextTelemetry = n
      actions.append(.sendTelemetry)
    }
    return actions
  }

  /// The next telemetry frame carrying `telemetry` with the next device sequence number
  /// (MAC'd inside a session): a full TLM, or in the compact format a TLC between keyframes.
  public mutating func telemetryFrame(_ telemetry: Telemetry) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(FrameDecoder.maxFrameLength)
    telemetryFrame(telemetry, into: &out)
    return out
  }

  /// `telemetryFrame(_:)` written into `out` (its contents replaced): with `out` kept across
  /// frames nothing is allocated but the MAC's digest state.
  public mutating func telemetryFrame(_ telemetry: Telemetry, into out: inout [UInt8]) {
    deviceSeq &+= 1
    let compact =
      telemetryFormat == .compact && framesSinceKeyframe > 0
      && CompactTelemetry.fits(telemetry.mode)
    framesSinceKeyframe = compact ? framesSinceKeyframe + 1 : 1
    if framesSinceKeyframe >= max(telemetryHertz, 1) { framesSinceKeyframe = 0 }
    if compact {
      scratchBody.reset(kind: "TLC", seq: deviceSeq)
      CompactTelemetry(telemetry).encodeFields(into: &scratchBody)
    } else {
      scratchBody.reset(kind: "TLM", seq: deviceSeq)
      telemetry.encodeFields(into: &scratchBody)
    }
    let mac = active.map { $0.key.mac64(.device, body: scratchBody.bytes[...]) }
    do { try FrameEncoder.encode(body: scratchBody.bytes[...], mac: mac, into: &out) } catch {
      out.removeAll(keepingCapacity: true)
    }
  }

  /// An EVT frame carrying `event` with the next device sequence number (MAC'd inside a
  /// session).
  public mutating func eventFrame(_ event: DeviceEvent) -> [UInt8] {
    deviceSeq &+= 1
    return deviceFrame(DeviceMessage.event(deviceSeq: deviceSeq, event).body())
  }

  /// Completes an executed request: encodes, MACs and caches the reply, audits privileged ones.
  public mutating func complete(
    _ pending: PendingRequest, with result: CommandResult, now: Milliseconds
  ) -> [DeviceSessionAction] {
    var copies = 0
    if let i = executing.firstIndex(where: { $0.seq == pending.seq && $0.body == pending.body }) {
      copies = executing[i].copies
      executing.remove(at: i)
    }
    let reply: DeviceReply.Result =
      switch result {
      case .accepted: .ack(.done(pending.request.kind))
      case .rejected(let r): .nak(Nak(.rejected, detail: Int64(r.rawValue), reason: "\(r)"))
      case .bolusDenied(let d, let lockout):
        .nak(
          Nak(
            .bolusDenied, detail: Int64(d.rawValue), reason: "\(d) lockout \(lockout.rawValue) ms"))
      case .status(let t): .ack(.status(t))
      case .alarms(let list):
        if case .alarms(let offset) = pending.request {
          .ack(.alarms(AlarmPage(all: list, offset: offset)))
        } else {
          .ack(.alarms(AlarmPage(all: list, offset: 0)))
        }
      case .log(let e): .ack(.log(e))
      case .audit(let e): .ack(.audit(e))
      case .patient(let p): .ack(.patient(p))
      case .noPatient:
        .nak(Nak(.noPatient, reason: "no simulated patient (pumpsim run --patient FILE)"))
      }
    var actions: [DeviceSessionAction] = []
    // Reading the audit trail changes nothing and is not itself recorded (the login that
    // allowed it is): a record per page would shift the pages being read.
    let auditRead = pending.request.kind == .audit && result != .rejected(.invalidValue)
    if pending.request.kind.permission.isPrivileged && !auditRead {
      let (outcome, reason): (AuditRecord.Outcome, String) =
        switch reply {
        case .ack: (.accepted, "ok")
        case .nak(let n): (.rejected, "\(n.code.name): \(n.reason)")
        }
      actions.append(
        .audit(
          AuditRecord(
            time: now, role: pending.role, command: pending.request.kind.rawValue,
            seq: pending.seq, outcome: outcome, reason: reason)))
    }
    if pending.console {
      let text: [UInt8] =
        switch result {
        case .status(let t): ConsoleText.status(t)
        case .alarms(let list): ConsoleText.alarms(list)
        case .log(let e): ConsoleText.log(e)
        case .patient(let p): ConsoleText.patient(p)
        default:
          switch reply {
          case .nak(let n): ConsoleText.nak(n)
          case .ack: ConsoleText.lines(["OK \(pending.request.kind.rawValue)"])
          }
        }
      return [.send(text)] + actions
    }
    if case .nak = reply { counters.naks.saturatingAdd() }
    let bytes = replyFrame(
      DeviceReply(seq: pending.seq, reply), authenticated: pending.authenticated)
    if Self.cacheable(pending) {
      cache.store(seq: pending.seq, request: pending.body, reply: bytes)
    }
    return [.send(bytes)] + Array(repeating: .resendCached(bytes), count: copies) + actions
  }

  /// The host hung up the line (EIO on a pty master, HUP on a tty): whatever it had is over at
  /// once, not at the heartbeat timeout. The session, its reply cache, a pending login, the
  /// negotiated version, a half-received frame and the telemetry rate are forgotten, so the next
  /// host starts from a fresh link and no byte-identical request of it (its `HELLO,1` is the same
  /// as everyone's) can be mistaken for a retransmission of the last host's. Failed-login
  /// back-off and the counters stay: they belong to the line, not to a host.
  public mutating func hangUp(now: Milliseconds) -> [DeviceSessionAction] {
    let lost = active
    endSession()
    expired = nil
    pendingLogin = nil
    negotiated = nil
    nextTelemetry = nil
    telemetryHertz = min(max(config.telemetryHertz, 0), 100)
    telemetryFormat = .full
    framesSinceKeyframe = 0
    decoder.resetLine()
    guard let lost else { return [] }
    return [
      .linkLost,
      .audit(
        AuditRecord(
          time: now, role: lost.role, command: "SESSION", seq: nil, outcome: .rejected,
          reason: "host hung up the line")),
    ]
  }

  // MARK: - Internals

  mutating func endSession() {
    expired = active?.key
    active = nil
    cache.removeAll()
    executing.removeAll()
  }

  /// Frames a device body, MAC'd when a session is open.
  func deviceFrame(_ body: FieldWriter) -> [UInt8] {
    let mac = active.map { $0.key.mac64(.device, body: body.bytes[...]) }
    var out: [UInt8] = []
    out.reserveCapacity(FrameDecoder.maxFrameLength)
    do { try FrameEncoder.encode(body: body.bytes[...], mac: mac, into: &out) } catch {
      return []
    }
    return out
  }

  /// Frames a reply; MAC'd with the session key when the request was authenticated. A reply
  /// that would not fit becomes a NAK.
  func replyFrame(_ reply: DeviceReply, authenticated: Bool) -> [UInt8] {
    let body = reply.body()
    let mac = authenticated ? active?.key.mac64(.device, body: body.bytes[...]) : nil
    var out: [UInt8] = []
    out.reserveCapacity(FrameDecoder.maxFrameLength)
    if (try? FrameEncoder.encode(body: body.bytes[...], mac: mac, into: &out)) != nil { return out }
    let fallback = DeviceReply(seq: reply.seq, .nak(Nak(.malformed, reason: "reply too long")))
    let b = fallback.body()
    let m = authenticated ? active?.key.mac(.device, body: b.bytes) : nil
    return (try? FrameEncoder.frame(body: b.bytes, mac: m)) ?? []
  }
}
