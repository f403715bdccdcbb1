import PumpCore
import PumpNoise

@testable import PumpProtocol

/// A device session and a fake firmware: executes requests with a scripted result and records
/// every action.
struct Harness {
  var device: DeviceSession
  var secret: DeviceSecret
  var rng: SeededGenerator
  var now = Milliseconds(1_000)
  var executed: [PendingRequest] = []
  var audits: [AuditRecord] = []
  var sent: [[UInt8]] = []
  var other: [DeviceSessionAction] = []
  /// What the fake firmware answers to executed requests.
  var result: (HostRequest) -> CommandResult = { r in
    switch r {
    case .status: .status(Telemetry(mode: .idle))
    case .alarms: .alarms([AlarmStatus(code: .doorOpen)])
    case .logTail(let back): .log(LogEntry(back: back, available: 3, text: "entry \(back)"))
    default: .accepted
    }
  }

  static let info = DeviceInfo(
    deviceId: "KP-TEST-1", firmwareVersion: "0.1.0", hardwareProfile: "sim-a",
    capabilities: .simulator)

  init(seed: UInt64 = 1, configure: (inout DeviceSessionConfig) -> Void = { _ in }) {
    rng = SeededGenerator(seed: seed)
    secret = DeviceSecret.generate(using: &rng)
    var config = DeviceSessionConfig(info: Self.info)
    configure(&config)
    device = DeviceSession(
      config: config, secret: secret, random: SeededGenerator(seed: seed &+ 99))
  }

  func key(_ role: Role) -> RoleKey { try! secret.roleKey(for: role) }

  /// Feeds bytes; runs executions; returns the bytes written back (replies).
  @discardableResult
  mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] {
    let before = sent.count
    apply(device.receive(bytes: bytes, now: now))
    return Array(sent[before...])
  }

  mutating func apply(_ actions: [DeviceSessionAction]) {
    for a in actions {
      switch a {
      case .send(let b), .resendCached(let b):
        sent.append(b)
        if case .resendCached = a { other.append(a) }
      case .execute(let p):
        executed.append(p)
        apply(device.complete(p, with: result(p.request), now: now))
      case .audit(let r): audits.append(r)
      default: other.append(a)
      }
    }
  }

  mutating func tick(_ ms: Int64) {
    now = now + Milliseconds(ms)
    apply(device.tick(now: now))
  }

  /// Parses the single device frame in `bytes`.
  static func message(_ bytes: [UInt8]) -> (ParsedFrame, DeviceMessage)? {
    var d = FrameDecoder()
    guard case .framed(let body)? = d.decodeAll(bytes).first,
      let f = try? ParsedFrame(body), let m = try? DeviceMessage(parsing: f)
    else { return nil }
    return (f, m)
  }

  static func reply(_ bytes: [UInt8]) -> DeviceReply? {
    if case .reply(let r)? = message(bytes)?.1 { return r }
    return nil
  }

  static func nakCode(_ bytes: [UInt8]) -> NakCode? {
    if case .nak(let n)? = reply(bytes)?.result { return n.code }
    return nil
  }
}

/// Host and device wired back to back.
struct Link {
  var h: Harness
  var host: HostSession
  var hostActions: [HostSessionAction] = []

  init(role: Role?, seed: UInt64 = 7, configure: (inout DeviceSessionConfig) -> Void = { _ in }) {
    let harness = Harness(seed: seed, configure: configure)
    h = harness
    let key = role.map { harness.key($0) }
    host = HostSession(config: HostSessionConfig(key: key, deviceId: Harness.info.deviceId))
  }

  /// Delivers host bytes to the device and all replies back, until quiet.
  mutating func pump(_ bytes: [UInt8]) {
    var queue = [bytes]
    while !queue.isEmpty {
      let b = queue.removeFirst()
      for reply in h.feed(b) {
        for a in host.receive(bytes: reply, now: h.now) {
          hostActions.append(a)
          if case .send(let more) = a { queue.append(more) }
        }
      }
    }
  }

  mutating func send(_ r: HostRequest) throws -> UInt32 {
    let (seq, bytes) = try host.send(r, now: h.now)
    pump(bytes)
    return seq
  }

  mutating func connectAndLogin() throws {
    _ = try send(.hello(.current))
    var nonceGen = SeededGenerator(seed: 42)
    let (_, bytes) = try host.login(
      hostNonce: Handshake.randomBytes(16, using: &nonceGen), now: h.now)
    pump(bytes)
  }

  /// The last reply the host received for `seq`.
  func reply(_ seq: UInt32) -> DeviceReply? {
    for a in hostActions.reversed() {
      if case .reply(_, let r) = a, r.seq == seq { return r }
    }
    return nil
  }

  /// The NAK code of the reply for `seq`, if it was a NAK.
  func nakCode(_ seq: UInt32) -> NakCode? {
    if case .nak(let n)? = reply(seq)?.result { return n.code }
    return nil
  }
}
