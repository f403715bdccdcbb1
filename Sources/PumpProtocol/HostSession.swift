import PumpCore

/// The host end of a link (docs/PROTOCOL.md §6–9): sequence allocation, login flow, MACs on
/// requests, retransmission with timeout, reply matching, gap detection on device frames,
/// heartbeat. No I/O; time passed in.
public struct HostSession: Sendable {
  /// Where the login stands.
  public enum State: Hashable, Sendable {
    case observer
    case awaitingChallenge
    case awaitingAuth
    case loggedIn
  }

  struct Outstanding: Sendable {
    var request: HostRequest
    var bytes: [UInt8]
    var sentAt: Milliseconds
    var attempts: Int
  }

  public let config: HostSessionConfig
  public internal(set) var state = State.observer
  /// What HELLO reported.
  public internal(set) var device: DeviceInfo?
  public internal(set) var counters = HostCounters()
  var decoder = FrameDecoder()
  var nextSeq: UInt32 = 1
  var outstanding: [UInt32: Outstanding] = [:]
  var hostNonce: [UInt8] = []
  var pendingKey: SessionKey?
  var sessionKey: SessionKey?
  var lastDeviceSeq: UInt32?
  /// The last full TLM (the keyframe compact TLC frames are laid over) and whether it was MAC'd.
  var keyframe: Telemetry?
  var keyframeAuthenticated = false
  var lastSent = Milliseconds.zero

  public init(config: HostSessionConfig) { self.config = config }

  /// The decoder's framing counters (device → host direction).
  public var frameCounters: FrameCounters { decoder.counters }
  /// Requests still waiting for a reply.
  public var outstandingCount: Int { outstanding.count }

  /// Builds and tracks a request. Inside a session every request but HELLO is MAC'd.
  public mutating func send(_ request: HostRequest, now: Milliseconds) throws(HostSessionError)
    -> (seq: UInt32, bytes: [UInt8])
  {
    switch request {
    case .login, .auth: throw .useLogin
    default: break
    }
    if request.kind.permission.isPrivileged, state != .loggedIn { throw .notLoggedIn }
    let mac = state == .loggedIn && request.kind != .hello
    return try track(request, mac: mac, now: now)
  }

  /// Starts the login with a fresh 16-byte host nonce (drawn by the caller from a system
  /// generator). The session sends AUTH itself when the challenge arrives.
  public mutating func login(hostNonce: [UInt8], now: Milliseconds) throws(HostSessionError)
    -> (seq: UInt32, bytes: [UInt8])
  {
    guard let key = config.key else { throw .noKey }
    guard device != nil || config.deviceId != nil else { throw .deviceUnknown }
    guard state != .awaitingChallenge, state != .awaitingAuth else { throw .loginInProgress }
    self.hostNonce = hostNonce
    state = .awaitingChallenge
    return try track(.login(key.role, hostNonce: hostNonce), mac: false, now: now)
  }

  mutating func track(_ request: HostRequest, mac: Bool, now: Milliseconds)
    throws(HostSessionError) -> (seq: UInt32, bytes: [UInt8])
  {
    let seq = nextSeq
    nextSeq &+= 1
    let body = request.body(seq: seq)
    let m = mac ? sessionKey?.mac64(.host, body: body.bytes[...]) : nil
    var bytes: [UInt8] = []
    bytes.reserveCapacity(FrameDecoder.maxFrameLength)
    do { try FrameEncoder.encode(body: body.bytes[...], mac: m, into: &bytes) } catch {
      throw .frameTooLong
    }
    outstanding[seq] = Outstanding(request: request, bytes: bytes, sentAt: now, attempts: 1)
    lastSent = now
    return (seq, bytes)
  }

  /// Feeds received bytes through the session's decoder.
  public mutating func receive(bytes: some Sequence<UInt8>, now: Milliseconds)
    -> [HostSessionAction]
  {
    receive(bytes: Array(bytes)[...], now: now)
  }

  /// Feeds received bytes through the session's decoder (the concrete entry: a generic one
  /// called from another module runs unspecialised, through witness tables per byte).
  public mutating func receive(bytes: [UInt8], now: Milliseconds) -> [HostSessionAction] {
    receive(bytes: bytes[...], now: now)
  }

  /// Feeds received bytes (a view of the caller's buffer, not copied) through the decoder.
  public mutating func receive(bytes: ArraySlice<UInt8>, now: Milliseconds) -> [HostSessionAction] {
    var actions: [HostSessionAction] = []
    var i = bytes.startIndex
    while let unit = decoder.next(bytes, at: &i) {
      // Telemetry is read in place from the decoder's buffer; other frames take the general
      // path. Console text and refused lines are for humans: nothing to do.
      guard unit == .frame else { continue }
      let body = decoder.frameBody
      if let done = receiveTelemetry(body) {
        actions += done
      } else {
        actions += receive(frame: .framed(FrameBody(bytes: Array(body))), now: now)
      }
    }
    return actions
  }

  /// Retransmissions, timeouts and heartbeat.
  public mutating func tick(now: Milliseconds) -> [HostSessionAction] {
    var actions: [HostSessionAction] = []
    for seq in outstanding.keys.sorted() {
      guard var o = outstanding[seq], now - o.sentAt >= config.retransmitTimeout else { continue }
      if o.attempts >= config.maxAttempts {
        outstanding[seq] = nil
        counters.timeouts.saturatingAdd()
        actions.append(.timedOut(seq: seq, o.request))
        if case .login = o.request { state = .observer }
        if case .auth = o.request { state = .observer }
      } else {
        o.attempts += 1
        o.sentAt = now
        outstanding[seq] = o
        counters.retransmits.saturatingAdd()
        lastSent = now
        actions.append(.send(o.bytes))
      }
    }
    if state == .loggedIn, now - lastSent >= config.heartbeatInterval,
      let (_, bytes) = try? track(.ping, mac: true, now: now)
    {
      actions.append(.send(bytes))
    }
    return actions
  }
}
