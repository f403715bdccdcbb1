import KetaPumpTestSupport
import PumpConfig
import PumpCore
import PumpFirmware
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// A shipped configuration and a generated key (tests never use a fixed key).
struct Setup {
  var secret: DeviceSecret
  var config: FirmwareConfig

  init(stateDir: String, deviceId: String = "KP-TEST-1", secret: DeviceSecret? = nil) {
    var system = SystemRandomNumberGenerator()
    self.secret = secret ?? DeviceSecret.generate(using: &system)
    let c = shippedConfiguration
    let model = c.model(id: "syringe-pca-60ml")!
    config = FirmwareConfig(
      deviceId: deviceId, firmwareVersion: "test", model: model, modelDigest: "0123456789abcdef",
      formulary: c.formulary, drugLibraryDigest: c.drugLibrary.sha256, secret: self.secret,
      stateDirectory: stateDir)
    config.telemetryHertz = 0
  }
}

/// A firmware and an in-process host session exchanging bytes, on a fake monotonic clock.
struct Link {
  let firmware: Firmware
  var host: HostSession
  var mono: Int64
  var wall: Int64
  var replies: [(HostRequest, DeviceReply)] = []
  var events: [DeviceEvent] = []
  var telemetry: [Telemetry] = []

  init(firmware: Firmware, role: Role, secret: DeviceSecret, mono: Int64, wall: Int64) {
    self.firmware = firmware
    host = HostSession(
      config: HostSessionConfig(
        key: try! secret.roleKey(for: role), deviceId: firmware.config.deviceId))
    self.mono = mono
    self.wall = wall
  }

  /// Delivers host bytes, then runs the firmware and feeds its output back to the host until
  /// quiet.
  mutating func exchange(_ bytes: [UInt8]) {
    var toDevice = bytes
    for _ in 0..<10 {
      let out = firmware.service(received: toDevice, monoMillis: mono, wallMillis: wall)
      toDevice = []
      for a in host.receive(bytes: out, now: Milliseconds(mono)) {
        switch a {
        case .send(let b): toDevice += b
        case .reply(let r, let reply): replies.append((r, reply))
        case .event(let e, _): events.append(e)
        case .telemetry(let t, _): telemetry.append(t)
        default: break
        }
      }
      if toDevice.isEmpty && out.isEmpty { return }
    }
  }

  mutating func hello() {
    exchange(try! host.send(.hello(.current), now: Milliseconds(mono)).bytes)
  }

  mutating func login() {
    hello()
    var rng = SystemRandomNumberGenerator()
    exchange(
      try! host.login(hostNonce: Handshake.randomBytes(16, using: &rng), now: Milliseconds(mono))
        .bytes)
  }

  /// Sends one request and returns its reply.
  @discardableResult
  mutating func send(_ r: HostRequest) -> DeviceReply? {
    let before = replies.count
    exchange(try! host.send(r, now: Milliseconds(mono)).bytes)
    return replies.count > before ? replies.last!.1 : nil
  }

  /// Lets `ms` pass (pinging every 500 ms so the session stays up).
  mutating func wait(_ ms: Int64) {
    var left = ms
    while left > 0 {
      let step = min(left, 500)
      mono += step
      wall += step
      left -= step
      var out: [UInt8] = []
      for a in host.tick(now: Milliseconds(mono)) { if case .send(let b) = a { out += b } }
      exchange(out)
    }
  }
}

/// A bedside: one firmware, a clinician, a patient handset and a vitals feed, each its own
/// session in turn on the one link (as a monitor, a handset and a patient monitor would take
/// turns on a shared serial line in these tests), with calm vitals every second.
struct Ward {
  let firmware: Firmware
  var links: [Role: Link] = [:]
  var mono: Int64
  var wall: Int64
  var vitals = VitalsSample(sbp: 125, dbp: 75, hr: 80)
  let secret: DeviceSecret
  /// The role whose session is open on the link (one session per link: a login replaces it).
  var current: Role? = nil

  init(firmware: Firmware, secret: DeviceSecret, mono: Int64 = 0, wall: Int64 = 1_000_000) {
    self.firmware = firmware
    self.mono = mono
    self.wall = wall
    self.secret = secret
  }

  /// Runs `body` on the link of `role`, logged in, at the ward's time.
  @discardableResult
  mutating func on<T>(_ role: Role, _ body: (inout Link) -> T) -> T {
    var l =
      links[role] ?? Link(firmware: firmware, role: role, secret: secret, mono: mono, wall: wall)
    l.mono = mono
    l.wall = wall
    if current != role || l.host.state != .loggedIn {
      l = Link(firmware: firmware, role: role, secret: secret, mono: mono, wall: wall)
      l.login()
      current = role
    }
    let r = body(&l)
    links[role] = l
    return r
  }

  @discardableResult
  mutating func send(_ role: Role, _ r: HostRequest) -> DeviceReply? { on(role) { $0.send(r) } }

  /// Lets `ms` pass in 1 s steps, feeding `vitals` every second (a new login each time: the
  /// sessions of the other roles time out in between, which is what a shared line does).
  mutating func wait(_ ms: Int64) {
    var left = ms
    while left > 0 {
      let step = min(left, 1000)
      mono += step
      wall += step
      left -= step
      let v = vitals
      send(.vitals, .vitals(v))
    }
  }
}

extension DeviceReply {
  var isAck: Bool { if case .ack = result { true } else { false } }
}
