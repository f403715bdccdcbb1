import PumpCore
import PumpProtocol
import SerialTransport

/// A `PumpClient` that survives the device going away: when the port hangs up or vanishes
/// (simulator restarted, USB adapter pulled) it reports `.lost`, keeps the last device identity,
/// and retries every `retryMs` until the port is back, then re-opens it, says HELLO and logs in
/// again with the same key. Run directory ports are reopened only when their record is live and
/// the link still points at the simulator's own pty. One thread; every wait is a bounded poll.
public final class MonitorSession {
  /// What to connect to and how.
  public struct Options: Sendable {
    public var port: ResolvedPort
    public var settings: LineSettings
    /// Role key (nil: observer, no login).
    public var key: RoleKey?
    /// The device id in the key file; HELLO must report the same.
    public var keyDeviceId: String?
    /// TLMRATE after logging in (nil: leave the device's default; ignored without a key, as
    /// only a session may change the rate).
    public var telemetryHz: Int?
    /// Reconnect after a lost link (default true).
    public var reconnect = true
    /// Time between reconnection attempts, ms.
    public var retryMs: Int64 = 500
    /// Used to check run-directory records before reopening.
    public var resolver: PortResolver
    /// Read the simulated patient (`PATIENT`) this often, ms (nil: never). The first
    /// "no patient" answer on a connection stops the reads until the next connection: a pump
    /// without a patient costs one request per connection and shows nothing.
    public var patientPollMs: Int64?

    public init(
      port: ResolvedPort, settings: LineSettings = .standard, key: RoleKey? = nil,
      keyDeviceId: String? = nil, telemetryHz: Int? = nil, resolver: PortResolver = PortResolver()
    ) {
      self.port = port
      self.settings = settings
      self.key = key
      self.keyDeviceId = keyDeviceId
      self.telemetryHz = telemetryHz
      self.resolver = resolver
    }
  }

  public private(set) var options: Options
  public private(set) var state = LinkState.connecting
  public private(set) var client: PumpClient?
  /// The device's identity (kept while the link is lost).
  public private(set) var device: DeviceInfo?
  /// Requested and actual line settings of the open port (kept while lost).
  public private(set) var lineSettings: (requested: String, actual: String)?
  /// Called on every state change.
  public var onState: ((LinkState) -> Void)?
  /// Telemetry, events, gaps, dropped frames of the current client.
  public var observe: ((ClientObservation) -> Void)?
  /// Raw bytes written (`true`) and read.
  public var traffic: ((_ sent: Bool, _ bytes: [UInt8]) -> Void)?
  /// Each PATIENT reading (`patientPollMs`); nil once when the device says it has no patient.
  public var onPatient: ((PatientReadout?) -> Void)?
  /// nil: not asked yet on this connection; false: the device has no patient.
  public private(set) var hasPatient: Bool?
  private var lastPatientPoll: Int64 = 0

  private var base = LinkStats()
  private var nextAttempt: Int64 = 0
  private var attempts = 0

  public init(_ options: Options) { self.options = options }

  /// The role of the session (observer without a key).
  public var role: Role { options.key?.role ?? .observer }

  /// Counters over every connection so far.
  public var stats: LinkStats { base + (client?.linkStats ?? LinkStats()) }

  /// The port descriptor to poll, nil while lost.
  public var pollDescriptor: Int32? { client?.port.pollDescriptor.rawValue }

  /// First connection: open, HELLO, login. Errors are returned as they are (unknown port,
  /// wrong key, no device): a monitor should not start on a bad argument.
  public func connect() throws(ClientError) {
    setState(.connecting)
    try open()
  }

  /// One step: input, heartbeats, retransmissions; while lost, a reconnection attempt when due.
  /// Returns without blocking. Never throws: a lost link becomes `.lost`.
  public func step() {
    if let c = client {
      do {
        try c.pump(untilMs: 0)
        try pollStatusIfQuiet(c)
        try pollPatientIfDue(c)
      } catch { lose(error) }
      return
    }
    guard options.reconnect, monotonic() >= nextAttempt else { return }
    attempts += 1
    if let name = options.port.recordName, !options.resolver.recordIsLive(name) {
      setState(.reconnecting(attempt: attempts, "waiting for the simulator to come back"))
      nextAttempt = monotonic() + options.retryMs
      return
    }
    do {
      try open()
      base.reconnects += 1
      attempts = 0
    } catch {
      client?.port.close()
      client = nil
      setState(.reconnecting(attempt: attempts, error.description))
      nextAttempt = monotonic() + options.retryMs
    }
  }

  /// Without telemetry for `statusPollMs` (an observer may not set the rate, and the device's
  /// may be 0), asks STATUS itself and reports it as telemetry, so a monitor never shows
  /// stale numbers as current.
  private func pollStatusIfQuiet(_ c: PumpClient) throws(ClientError) {
    let now = monotonic()
    guard now - lastTelemetryAt >= Self.statusPollMs else { return }
    lastTelemetryAt = now
    let reply = try c.request(.status, timeoutMs: 1000)
    if case .ack(.status(let t)) = reply.result {
      observe?(.telemetry(t, authenticated: c.session.state == .loggedIn))
    }
  }

  /// Every `patientPollMs`, reads PATIENT and hands it to `onPatient`. No patient (NAK 17, or
  /// NAK 02 from a device without the request) ends the reads on this connection, silently; a
  /// read without a reply is skipped (the next one comes at the next period); a lost link
  /// throws as any request does.
  private func pollPatientIfDue(_ c: PumpClient) throws(ClientError) {
    guard let every = options.patientPollMs, hasPatient != false else { return }
    let now = monotonic()
    guard now - lastPatientPoll >= every else { return }
    lastPatientPoll = now
    do {
      let p = try c.patient(timeoutMs: 1000)
      hasPatient = p != nil
      onPatient?(p)
    } catch {
      switch error {
      case .linkLost: throw error
      case .nak:
        // Not a patient simulator's answer: stop asking rather than repeat a refusal.
        hasPatient = false
        onPatient?(nil)
      default: break
      }
    }
  }

  /// How long without telemetry before `step` asks STATUS (ms).
  public static let statusPollMs: Int64 = 1500
  private var lastTelemetryAt: Int64 = 0

  /// Milliseconds until `step` has work that no descriptor announces (heartbeat, retry).
  public var idleTimeoutMs: Int32 { client == nil ? Int32(options.retryMs) : 100 }

  /// Sends a request and waits for its reply (see `PumpClient.request`). A lost link is
  /// reported (`.linkLost`) and the session starts reconnecting.
  @discardableResult
  public func request(_ r: HostRequest, timeoutMs: Int64 = 3000) throws(ClientError)
    -> DeviceReply
  {
    guard let c = client else {
      throw .linkLost(state.label)
    }
    do { return try c.request(r, timeoutMs: timeoutMs) } catch {
      if case .linkLost = error { lose(error) }
      throw error
    }
  }

  /// Sends a request and waits for its reply: nil when none came after every retransmission
  /// (uncertain); a NAK is returned, not thrown. Link failures throw and start reconnecting.
  public func exchange(_ r: HostRequest, timeoutMs: Int64 = 3000) throws(ClientError)
    -> DeviceReply?
  {
    guard let c = client else { throw .linkLost(state.label) }
    do {
      let seq = try c.send(r)
      return try c.wait(for: seq, request: r, timeoutMs: timeoutMs)
    } catch {
      if case .linkLost = error { lose(error) }
      throw error
    }
  }

  /// Logs in again with another role key (roles take turns on one line): logs out, reopens,
  /// HELLO, login.
  public func switchKey(_ key: RoleKey?, deviceId: String?) throws(ClientError) {
    if let c = client {
      base = base + c.linkStats
      c.close()
    }
    client = nil
    options.key = key
    options.keyDeviceId = deviceId ?? options.keyDeviceId
    setState(.connecting)
    do { try open() } catch {
      lose(error)
      throw error
    }
  }

  /// Logs out (best effort) and closes the port.
  public func close() {
    if let c = client { base = base + c.linkStats }
    client?.close()
    client = nil
  }

  private func open() throws(ClientError) {
    let c = try PumpClient.open(
      path: options.port.path, settings: options.settings, key: options.key,
      deviceId: options.keyDeviceId)
    c.observe = { [weak self] o in
      if case .telemetry = o { self?.lastTelemetryAt = monotonic() }
      self?.observe?(o)
    }
    lastTelemetryAt = monotonic()
    hasPatient = nil
    lastPatientPoll = 0
    c.traffic = { [weak self] sent, bytes in self?.traffic?(sent, bytes) }
    client = c
    lineSettings = (c.port.requested.description, c.port.actual.description)
    do throws(ClientError) {
      let info = try c.hello(timeoutMs: 1500)
      device = info
      if let want = options.keyDeviceId, info.deviceId != want {
        throw ClientError.authFailed(
          "the key file is for device \(want), but \(options.port.path) is device \(info.deviceId)")
      }
      if options.key != nil {
        try c.login()
        // The rate needs a session (PROTOCOL.md §4.1): observers get the device's own rate.
        if let hz = options.telemetryHz { try c.request(.setTelemetry(hertz: hz)) }
        setState(.loggedIn(role))
      } else {
        setState(.connected)
      }
    } catch {
      c.port.close()
      client = nil
      throw error
    }
  }

  private func lose(_ error: ClientError) {
    if let c = client {
      base = base + c.linkStats
      c.port.close()
    }
    client = nil
    let why: String
    if case .linkLost(let w) = error { why = w } else { why = error.description }
    setState(.lost(why))
    nextAttempt = monotonic() + options.retryMs
  }

  private func setState(_ s: LinkState) {
    guard s != state else { return }
    state = s
    onState?(s)
  }
}
