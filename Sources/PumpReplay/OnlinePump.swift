import PumpCore
import PumpHost
import PumpProtocol
import PumpTrace

/// A running pumpsim seen by online replay: logged-in `PumpClient`s, one per role on its own
/// port when the pump has four (`pumpsim run --ports 4`: no re-login between roles), else one
/// port on which the roles take turns (a new login per role switch). Device events are taken
/// from one observing session only (events go to every port); the others are kept alive.
public final class OnlinePump {
  /// Roles in port order when the pump has at least four ports.
  public static let rolesByPort: [Role] = [.service, .clinician, .patient, .vitals]

  private let ports: [String]
  private let keys: [Role: RoleKey]
  private let deviceId: String?
  private var clients: [Role: PumpClient] = [:]
  /// Single-port mode: the role logged in now.
  private var current: Role?
  let sink = EventSink()
  private let clock = ContinuousClock()
  private var lastKeepAlive: ContinuousClock.Instant?
  /// Logins done (four with a port per role; one per role switch on a single port).
  public private(set) var logins = 0
  /// Requests sent (replies awaited), the work of an online run.
  public internal(set) var requests: Int64 = 0

  /// Connects to the pump on `ports` (one, or at least four: service, clinician, patient,
  /// vitals) with the role keys in `keys`. Telemetry is switched off: STATUS is asked for.
  public init(ports: [String], keys: [Role: RoleKey], deviceId: String? = nil)
    throws(ClientError)
  {
    self.ports = ports
    self.keys = keys
    self.deviceId = deviceId
    if ports.count >= Self.rolesByPort.count {
      for (i, role) in Self.rolesByPort.enumerated() {
        let c = try connect(ports[i], as: role)
        c.observe = sink.observer(role)
        clients[role] = c
      }
    } else {
      _ = try client(for: .service)
    }
  }

  /// True when `role` has a session open now (with a port per role), or on a single port.
  public func isConnected(_ role: Role) -> Bool { !portPerRole || clients[role] != nil }

  /// True when every role has its own port.
  public var portPerRole: Bool { ports.count >= Self.rolesByPort.count }

  /// Sends `request` in `role`'s session and waits for its reply: nil when accepted, the NAK
  /// when refused. Throws when the link fails or the outcome is uncertain.
  public func send(_ request: HostRequest, as role: Role) throws(ClientError) -> Nak? {
    let c = try client(for: role)
    requests += 1
    do {
      try c.request(request)
      keepAlive()
      return nil
    } catch {
      if case .nak(_, let n) = error {
        keepAlive()
        return n
      }
      throw error
    }
  }

  /// Sends `request` in `role`'s session and, in the same breath, STATUS on that session
  /// (pipelined: one round trip; the pump answers them in order). Returns the request's NAK
  /// (nil: accepted) and the status, whose reply follows every event of the requests before
  /// it on that port (`takeEvents(via: role)`).
  public func send(_ request: HostRequest, as role: Role, thenStatus: Void)
    throws(ClientError) -> (Nak?, Telemetry)
  {
    let c = try client(for: role)
    requests += 2
    let seq = try c.send(request)
    let statusSeq = try c.send(.status)
    guard let reply = try c.wait(for: seq, request: request, timeoutMs: 3000) else {
      throw .uncertain(request)
    }
    let nak: Nak?
    if case .nak(let n) = reply.result { nak = n } else { nak = nil }
    keepAlive()
    return (nak, try statusReply(c, seq: statusSeq))
  }

  /// The pump's STATUS, asked on the service session (or the one port): every event of the
  /// requests answered so far has arrived before it (`takeEvents(via: .service)`).
  public func status() throws(ClientError) -> Telemetry {
    let c = try client(for: current ?? .service)
    requests += 1
    return try statusReply(c, seq: try c.send(.status))
  }

  /// A read-only query on the session STATUS uses; its reply (ACK or NAK).
  func query(_ r: HostRequest) throws(ClientError) -> DeviceReply {
    let c = try client(for: current ?? .service)
    requests += 1
    guard let reply = try c.wait(for: try c.send(r), request: r, timeoutMs: 3000) else {
      throw .uncertain(r)
    }
    return reply
  }

  func statusReply(_ c: PumpClient, seq: UInt32) throws(ClientError) -> Telemetry {
    guard let reply = try c.wait(for: seq, request: .status, timeoutMs: 3000) else {
      throw .uncertain(.status)
    }
    guard case .ack(.status(let t)) = reply.result else {
      throw .linkLost("\(c.path): STATUS answered without telemetry")
    }
    return t
  }

  /// The controller log's entries with a sequence number above `after`, oldest first, as
  /// `(sequence, time, text)`: `LOG` on `role`'s session (read-only, every role may ask), newest
  /// first, one request per entry, at most `limit` (nil when more are new: the caller falls back).
  public func logSince(_ after: UInt32, via role: Role, limit: Int = 64) throws(ClientError)
    -> [(UInt32, Milliseconds, String)]?
  {
    let c = try client(for: portPerRole ? role : (current ?? .service))
    var out: [(UInt32, Milliseconds, String)] = []
    var back = 0
    while true {
      requests += 1
      let reply: DeviceReply
      do { reply = try c.request(.logTail(back: back)) } catch {
        if case .nak = error { break }  // Past the oldest entry.
        throw error
      }
      guard case .ack(.log(let e)) = reply.result, let line = OnlineLogLine(e.text) else { break }
      if line.sequence <= after { break }
      out.append((line.sequence, line.time, line.text))
      back += 1
      if back >= e.available { break }
      if out.count > limit { return nil }
    }
    keepAlive()
    return out.reversed()
  }

  /// Writes `bytes` as they are on `role`'s port (`raw "…"` lines; no framing, no MAC), then
  /// services that session once without waiting. Best effort: a short write is not retried.
  public func writeRaw(_ bytes: [UInt8], via role: Role) throws(ClientError) {
    let c = try client(for: portPerRole ? role : (current ?? .service))
    bytes.withUnsafeBytes { _ = c.port.write($0) }
    try c.pump(untilMs: 0)
  }

  /// Closes `role`'s session (`disconnect` lines: LOGOUT is not sent, the port is closed as a
  /// host that vanished would). The next request in that role connects and logs in again.
  public func disconnect(_ role: Role) {
    if portPerRole {
      clients[role]?.close()
      clients[role] = nil
      sink.forget(role)
    } else if current == role {
      for c in clients.values { c.close() }
      clients.removeAll()
      current = nil
    }
  }

  /// Device events not taken yet, as `role`'s session received them up to now, in arrival
  /// order. Every port gets the same events, so the other sessions' copies are dropped.
  public func takeEvents(via role: Role = .service) -> [DeviceEvent] {
    sink.take(portPerRole ? role : .service)
  }

  /// Logs out and closes every port.
  public func close() {
    for c in clients.values { c.close() }
    clients.removeAll()
  }

  deinit { close() }

  // MARK: Sessions

  func client(for role: Role) throws(ClientError) -> PumpClient {
    if portPerRole {
      if let c = clients[role] { return c }
      // Reconnected after a `disconnect` line.
      guard let i = Self.rolesByPort.firstIndex(of: role) else {
        throw .linkLost("no session for \(role.rawValue)")
      }
      let c = try connect(ports[i], as: role)
      c.observe = sink.observer(role)
      clients[role] = c
      return c
    }
    if current == role, let c = clients[role] { return c }
    // One line: the roles take turns, each with its own login.
    for c in clients.values { c.close() }
    clients.removeAll()
    let c = try connect(ports[0], as: role)
    c.observe = sink.observer(.service)
    clients[role] = c
    current = role
    return c
  }

  private func connect(_ path: String, as role: Role) throws(ClientError) -> PumpClient {
    guard let key = keys[role] else {
      throw .authFailed("no \(role.rawValue) key for online replay")
    }
    let c = try PumpClient.open(path: path, key: key, deviceId: deviceId)
    try c.hello()
    try c.login()
    try c.request(.setTelemetry(hertz: 0))
    logins += 1
    return c
  }

  /// Services the sessions not in use (heartbeat, draining their event copies) at most every
  /// 200 ms, without waiting.
  func keepAlive() {
    let now = clock.now
    if let last = lastKeepAlive, now - last < .milliseconds(200) { return }
    lastKeepAlive = now
    for c in clients.values { try? c.pump(untilMs: 0) }
  }
}

/// Every session's device events not taken yet. All ports carry the same event stream (each
/// connected before the first event of a run), so events taken through one session are
/// dropped from the others' queues as their copies arrive.
final class EventSink {
  var queues: [Role: [DeviceEvent]] = [:]
  /// Copies still to arrive on a session of events already taken through another.
  var skip: [Role: Int] = [:]

  func observer(_ role: Role) -> (ClientObservation) -> Void {
    if queues[role] == nil { queues[role] = [] }
    return { [unowned self] o in
      guard case .event(let e, _) = o, !self.skipsCopy(role) else { return }
      self.queues[role, default: []].append(e)
    }
  }

  /// True (and counted off) when the next event arriving on `role`'s session is a copy of one
  /// already taken through another session.
  func skipsCopy(_ role: Role) -> Bool {
    guard let s = skip[role], s > 0 else { return false }
    skip[role] = s - 1
    return true
  }

  /// A session closed: its queue and the copies it still owed are forgotten (a new session
  /// on that port sees only events from its connection on).
  func forget(_ role: Role) {
    queues[role] = nil
    skip[role] = nil
  }

  func take(_ role: Role) -> [DeviceEvent] {
    let out = queues[role] ?? []
    queues[role] = []
    taken(out.count, via: role)
    return out
  }

  /// `count` events were taken through `role`'s session (by `take`, or straight from its
  /// client while feeding): the other sessions' copies are dropped as they arrive.
  func taken(_ count: Int, via role: Role) {
    for r in queues.keys where r != role {
      let drop = min(count, queues[r]?.count ?? 0)
      queues[r]!.removeFirst(drop)
      skip[r, default: 0] += count - drop
    }
  }
}

/// A LOG reply's text, `#<seq> t=<ms> <effect>` (PumpFirmware's `LogText.line`; the wire
/// sanitises `#` and `,` to spaces, docs/PROTOCOL.md §4.4).
struct OnlineLogLine {
  var sequence: UInt32
  var time: Milliseconds
  var text: String

  init?(_ s: String) {
    let body = s.drop(while: { $0 == "#" || $0 == " " })
    let parts = body.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, let seq = UInt32(parts[0]), parts[1].hasPrefix("t="),
      let ms = Int64(parts[1].dropFirst(2))
    else { return nil }
    sequence = seq
    time = Milliseconds(ms)
    text = String(parts[2])
  }
}
