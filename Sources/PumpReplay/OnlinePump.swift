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
  private let sink = EventSink()
  private let clock = ContinuousClock()
  private var lastKeepAlive: ContinuousClock.Instant?
  /// Logins done (four with a port per role; one per role switch on a single port).
  public private(set) var logins = 0
  /// Requests sent (replies awaited), the work of an online run.
  public private(set) var requests: Int64 = 0

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
        clients[role] = try connect(ports[i], as: role)
      }
      clients[.service]?.observe = sink.observe
    } else {
      _ = try client(for: .service)
    }
  }

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

  /// The pump's STATUS, asked on the observing session: every event of the requests answered
  /// so far has arrived before it (`takeEvents()`).
  public func status() throws(ClientError) -> Telemetry {
    let role = current ?? .service
    let c = try client(for: role)
    requests += 1
    let reply = try c.request(.status)
    guard case .ack(.status(let t)) = reply.result else {
      throw .linkLost("\(c.path): STATUS answered without telemetry")
    }
    return t
  }

  /// Device events seen on the observing session since the last call, in arrival order.
  public func takeEvents() -> [DeviceEvent] {
    defer { sink.events.removeAll(keepingCapacity: true) }
    return sink.events
  }

  /// Logs out and closes every port.
  public func close() {
    for c in clients.values { c.close() }
    clients.removeAll()
  }

  deinit { close() }

  // MARK: Sessions

  private func client(for role: Role) throws(ClientError) -> PumpClient {
    if portPerRole {
      guard let c = clients[role] else { throw .linkLost("no session for \(role.rawValue)") }
      return c
    }
    if current == role, let c = clients[role] { return c }
    // One line: the roles take turns, each with its own login.
    for c in clients.values { c.close() }
    clients.removeAll()
    let c = try connect(ports[0], as: role)
    c.observe = sink.observe
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
  private func keepAlive() {
    let now = clock.now
    if let last = lastKeepAlive, now - last < .milliseconds(200) { return }
    lastKeepAlive = now
    for c in clients.values { try? c.pump(untilMs: 0) }
  }
}

/// Collects the observing session's device events.
private final class EventSink {
  var events: [DeviceEvent] = []

  var observe: (ClientObservation) -> Void {
    { [unowned self] o in
      if case .event(let e, _) = o { self.events.append(e) }
    }
  }
}
