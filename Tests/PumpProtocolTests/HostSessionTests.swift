import PumpCore
import PumpNoise
import Testing

@testable import PumpProtocol

@Suite("HostSession")
struct HostSessionTests {
  @Test("REQ-PROTO-RTX-1: a lost reply is retransmitted; the device resends, executes once")
  func retransmit() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let (seq, bytes) = try l.host.send(.start, now: l.h.now)
    _ = l.h.feed(bytes)  // reply lost
    l.h.now = l.h.now + Milliseconds(499)
    #expect(l.host.tick(now: l.h.now).isEmpty)
    l.h.now = l.h.now + Milliseconds(1)
    let actions = l.host.tick(now: l.h.now)
    #expect(actions == [.send(bytes)])
    l.pump(bytes)
    #expect(l.reply(seq)?.result == .ack(.done(.start)))
    #expect(l.h.executed.count == 1)
    #expect(l.host.counters.retransmits == 1)
    #expect(l.host.outstandingCount == 0)
  }

  @Test("REQ-PROTO-RTX-2: no reply after 3 transmissions: timed out (uncertain)")
  func timeout() throws {
    var host = HostSession(config: HostSessionConfig())
    let (seq, _) = try host.send(.status, now: .zero)
    var all: [HostSessionAction] = []
    for t in stride(from: 100, through: 2_000, by: 100) {
      all += host.tick(now: Milliseconds(Int64(t)))
    }
    #expect(all.filter { if case .send = $0 { true } else { false } }.count == 2)
    #expect(all.contains(.timedOut(seq: seq, .status)))
    #expect(host.counters.timeouts == 1)
  }

  @Test("REQ-PROTO-GAP: the host counts device sequence gaps; session telemetry is authenticated")
  func gaps() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let t = Telemetry(mode: .infusing(.basal), commandedRate: MicrolitersPerHour(1000))
    let f1 = l.h.device.telemetryFrame(t)
    _ = l.h.device.eventFrame(.alarmRaised(.doorOpen, .high))  // lost
    _ = l.h.device.telemetryFrame(t)  // lost
    let f4 = l.h.device.eventFrame(.modeChanged(.paused(.alarm)))
    let a1 = l.host.receive(bytes: f1, now: l.h.now)
    #expect(a1 == [.telemetry(t, authenticated: true)])
    let a4 = l.host.receive(bytes: f4, now: l.h.now)
    #expect(a4 == [.gap(missing: 2), .event(.modeChanged(.paused(.alarm)), authenticated: true)])
    #expect(l.host.counters.gaps == 2)
  }

  @Test("REQ-PROTO-AUTH-4: mutual proof: a device without the key is detected")
  func mutual() throws {
    var l = Link(role: .clinician)
    var rng = SeededGenerator(seed: 77)
    let other = DeviceSecret.generate(using: &rng)
    l.host = HostSession(
      config: HostSessionConfig(
        key: try other.roleKey(for: .clinician), deviceId: Harness.info.deviceId))
    try l.connectAndLogin()
    #expect(l.hostActions.contains(.loginFailed(nil)))
    #expect(l.host.state == .observer)
    #expect(!l.h.device.isAuthenticated)
  }

  @Test("REQ-PROTO-AUTH-5: a patient key cannot log in as clinician")
  func patientKeyAsClinician() throws {
    var l = Link(role: .patient)
    let patient = l.h.key(.patient)
    let forged = RoleKey(role: .clinician, unchecked: patient.bytes)
    l.host = HostSession(config: HostSessionConfig(key: forged, deviceId: Harness.info.deviceId))
    try l.connectAndLogin()
    #expect(l.host.state == .observer)
    #expect(!l.h.device.isAuthenticated)
  }

  @Test("observer: read-only without login; privileged requests refused locally")
  func observer() throws {
    var l = Link(role: nil)
    _ = try l.send(.hello(.current))
    #expect(l.hostActions.contains(.connected(l.host.device!)))
    let seq = try l.send(.status)
    guard case .ack(.status(let t))? = l.reply(seq)?.result else {
      Issue.record("no status")
      return
    }
    #expect(t.mode == .idle)
    #expect(throws: HostSessionError.notLoggedIn) { try l.host.send(.start, now: l.h.now) }
    #expect(throws: HostSessionError.noKey) { try l.host.login(hostNonce: [], now: l.h.now) }
  }

  @Test("REQ-PROTO-CTR: COUNTERS reports decoder and session counters")
  func counters() throws {
    var l = Link(role: nil)
    l.pump([0x00, 0x01] + Array("$PING,1*0000\r\n".utf8))
    let seq = try l.send(.counters)
    guard case .ack(.counters(let c))? = l.reply(seq)?.result else {
      Issue.record("no counters")
      return
    }
    #expect(c.frames.garbageBytes == 2)
    #expect(c.frames.crcErrors == 1)
    #expect(c.frames.framesAccepted == 1)
  }
}
