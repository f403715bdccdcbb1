import PumpCore
import PumpNoise
import Testing

@testable import PumpProtocol

/// Builds a frame MAC'd with `key` (for forged, replayed and reordered frames).
func macFrame(_ body: String, key: SessionKey?) -> [UInt8] {
  let b = Array(body.utf8)
  return try! FrameEncoder.frame(body: b, mac: key?.mac(.host, body: b))
}

func plainFrame(_ body: String) -> [UInt8] { try! FrameEncoder.frame(body: Array(body.utf8)) }

@Suite("DeviceSession")
struct DeviceSessionTests {
  @Test("REQ-PROTO-AUTH-1: clinician login, MAC'd START executes once with the clinician role")
  func clinicianStart() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    #expect(l.host.state == .loggedIn)
    #expect(l.h.other.contains(.linkEstablished(.clinician)))
    #expect(l.h.audits.contains { $0.command == "LOGIN" && $0.outcome == .accepted })
    let seq = try l.send(.start)
    #expect(l.h.executed.map(\.request) == [.start])
    #expect(l.h.executed.first?.role == .clinician)
    #expect(l.reply(seq)?.result == .ack(.done(.start)))
    #expect(l.hostActions.contains(.loggedIn(.clinician)))
    #expect(l.h.audits.last?.command == "START" && l.h.audits.last?.outcome == .accepted)
  }

  @Test("REQ-PROTO-ROLE-1: patient may not PROGRAM or START; may BOLUS and PAUSE")
  func patientRole() throws {
    var l = Link(role: .patient)
    try l.connectAndLogin()
    var g = RandomMessages(rng: SeededGenerator(seed: 9))
    for r in [
      HostRequest.program(g.prescription()), .start, .resume, .clinicianBolus(Micrograms(1)),
    ] {
      let seq = try l.send(r)
      #expect(l.nakCode(seq) == .roleForbidden)
      #expect(l.h.audits.last?.outcome == .rejected && l.h.audits.last?.role == .patient)
    }
    #expect(l.h.executed.isEmpty)
    _ = try l.send(.patientBolus)
    _ = try l.send(.pause)
    #expect(l.h.executed.map(\.request) == [.patientBolus, .pause])
  }

  @Test("REQ-PROTO-ROLE-2: vitals may not BOLUS; service may INJECT; clinician may not INJECT")
  func otherRoles() throws {
    var v = Link(role: .vitals)
    try v.connectAndLogin()
    let s1 = try v.send(.patientBolus)
    #expect(v.nakCode(s1) == .roleForbidden)
    _ = try v.send(.vitals(VitalsSample(sbp: 120, hr: 70)))
    _ = try v.send(.stop)
    #expect(v.h.executed.map(\.request) == [.vitals(VitalsSample(sbp: 120, hr: 70)), .stop])

    var s = Link(role: .service)
    try s.connectAndLogin()
    _ = try s.send(.inject(.door(open: true)))
    _ = try s.send(.clock(.advance(Milliseconds(5))))
    #expect(s.h.executed.count == 2)

    var c = Link(role: .clinician)
    try c.connectAndLogin()
    let s2 = try c.send(.inject(.door(open: true)))
    #expect(Harness.nakCode(c.h.sent.last!) == .roleForbidden)
    #expect(c.reply(s2) != nil)
    #expect(c.h.executed.isEmpty)
  }

  @Test("REQ-PROTO-SEQ-1: duplicate request gets the cached reply and is not executed again")
  func duplicate() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let (_, bytes) = try l.host.send(.start, now: l.h.now)
    let first = l.h.feed(bytes)
    let second = l.h.feed(bytes)
    #expect(first == second)
    #expect(l.h.executed.count == 1)
    #expect(l.h.other.contains(.resendCached(first[0])))
    #expect(l.h.device.counters.retransmits == 1)
  }

  @Test("REQ-PROTO-SEQ-2: replayed seq after cache eviction and reordered-old seq are refused")
  func replayAndReorder() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let (seq, bytes) = try l.host.send(.start, now: l.h.now)
    l.h.feed(bytes)
    for _ in 0..<10 { _ = try l.send(.ping) }
    let replay = l.h.feed(bytes)
    #expect(Harness.nakCode(replay[0]) == .staleSequence)
    // A never-sent but validly MAC'd frame with an old seq.
    let old = macFrame("STOP,\(seq + 1)", key: l.host.sessionKey)
    #expect(Harness.nakCode(l.h.feed(old)[0]) == .staleSequence)
    #expect(l.h.executed.map(\.request) == [.start])
    #expect(l.h.device.counters.staleSequence == 2)
  }

  @Test("REQ-PROTO-SEQ-3: forged MAC and cross-session frames are refused")
  func badMacAndCrossSession() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    var forged = macFrame("START,900", key: l.host.sessionKey)
    // Flip one MAC digit and fix the CRC.
    let s = String(decoding: forged, as: UTF8.self)
    let body = s.dropFirst().prefix(while: { $0 != "*" })
    var chars = Array(body)
    chars[chars.count - 1] = chars[chars.count - 1] == "0" ? "1" : "0"
    forged = try FrameEncoder.frame(body: Array(String(chars).utf8))
    #expect(Harness.nakCode(l.h.feed(forged)[0]) == .badMac)
    // Frame MAC'd for session A, sent after a new login (session B).
    let captured = macFrame("START,901", key: l.host.sessionKey)
    var nonce = SeededGenerator(seed: 5)
    let (_, login) = try l.host.login(
      hostNonce: Handshake.randomBytes(16, using: &nonce), now: l.h.now)
    l.pump(login)
    #expect(l.host.state == .loggedIn)
    #expect(Harness.nakCode(l.h.feed(captured)[0]) == .badMac)
    #expect(l.h.executed.isEmpty)
    #expect(l.h.device.counters.badMac == 2)
  }

  @Test("REQ-PROTO-AUTH-2: a captured handshake replayed into a new session fails")
  func handshakeReplay() throws {
    var l = Link(role: .clinician)
    _ = try l.send(.hello(.current))
    var nonce = SeededGenerator(seed: 3)
    let (_, loginBytes) = try l.host.login(
      hostNonce: Handshake.randomBytes(16, using: &nonce), now: l.h.now)
    var captured: [[UInt8]] = [loginBytes]
    let challenge = l.h.feed(loginBytes)
    for a in l.host.receive(bytes: challenge[0], now: l.h.now) {
      if case .send(let auth) = a { captured.append(auth) }
    }
    l.pump(captured[1])
    #expect(l.host.state == .loggedIn)
    // Device restarts (same secret, new session state), attacker replays LOGIN then AUTH.
    var replayed = DeviceSession(
      config: DeviceSessionConfig(info: Harness.info), secret: l.h.secret,
      random: SeededGenerator(seed: 1234))
    _ = replayed.receive(bytes: plainFrame("HELLO,1,1.0"), now: l.h.now)
    _ = replayed.receive(bytes: captured[0], now: l.h.now)
    let out = replayed.receive(bytes: captured[1], now: l.h.now)
    guard case .send(let nak)? = out.first else {
      Issue.record("no reply")
      return
    }
    #expect(Harness.nakCode(nak) == .authFailed)
    #expect(!replayed.isAuthenticated)
  }

  @Test("REQ-PROTO-HB-1: 3 s without traffic ends the session: link lost, then session-expired")
  func heartbeatTimeout() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    l.h.tick(2_000)
    #expect(!l.h.other.contains(.linkLost))
    l.h.tick(1_001)
    #expect(l.h.other.contains(.linkLost))
    #expect(l.h.audits.last?.command == "SESSION")
    #expect(!l.h.device.isAuthenticated)
    let seq = try l.send(.start)
    #expect(l.nakCode(seq) == .sessionExpired)
    #expect(l.h.executed.isEmpty)
  }

  @Test("REQ-PROTO-HB-2: host heartbeat keeps the session alive")
  func heartbeatAlive() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    for _ in 0..<40 {
      l.h.tick(250)
      for a in l.host.tick(now: l.h.now) { if case .send(let b) = a { l.pump(b) } }
    }
    #expect(!l.h.other.contains(.linkLost))
    #expect(l.h.device.isAuthenticated)
  }

  @Test(
    "REQ-PROTO-AUTH-3: failed logins back off per role (free, free, 0.5 s, 1 s, 2 s … at most 8 s), audited with the AUTH's seq; other roles unaffected; success resets"
  )
  func backoff() throws {
    var h = Harness()
    h.feed(plainFrame("HELLO,1,1.0"))
    var seq: UInt32 = 2
    let nonce = String(repeating: "AB", count: 16)
    let badProof = String(repeating: "00", count: 16)
    /// One failed LOGIN+AUTH of `role`; returns the back-off the device then asks for.
    func fail(_ role: String) -> Int64? {
      let l = h.feed(plainFrame("LOGIN,\(seq),\(role),\(nonce)"))
      #expect(Harness.nakCode(l[0]) == nil, "LOGIN \(seq) refused")
      let r = h.feed(plainFrame("AUTH,\(seq + 1),\(badProof)"))
      #expect(Harness.nakCode(r[0]) == .authFailed)
      seq += 2
      let probe = h.feed(plainFrame("LOGIN,\(seq),\(role),\(nonce)"))
      seq += 1
      guard Harness.nakCode(probe[0]) == .lockedOut else { return nil }
      if case .nak(let n)? = Harness.reply(probe[0])?.result { return n.detail }
      return nil
    }
    var waits: [Int64?] = []
    for _ in 0..<7 {
      let w = fail("clinician")
      waits.append(w)
      if let w { h.tick(w) }
    }
    #expect(waits == [nil, nil, 500, 1000, 2000, 4000, 8000])
    #expect(h.device.counters.authFailures == 7)
    let lock = try #require(h.audits.first { $0.reason.contains("logins refused for 500 ms") })
    #expect(lock.command == "AUTH" && lock.seq == 9, "cites the third failed AUTH (seq 9)")
    // Another role is not held back by the clinician's failures.
    #expect(fail("patient") == nil)
    // The clinician's back-off caps at 8 s, however many failures.
    #expect(fail("clinician") == 8000)
    h.tick(8000)
    #expect(h.device.config.backoff(afterFailures: 60) == Milliseconds(8000))
  }

  @Test("REQ-PROTO-CON-1: console lines answer read-only queries only, in readable text")
  func console() throws {
    var h = Harness()
    let status = h.feed(Array("status\r\n".utf8))
    #expect(String(decoding: status[0], as: UTF8.self).hasPrefix("STATUS mode=idle"))
    #expect(h.executed.map(\.request) == [.status])
    #expect(h.executed.first?.console == true)
    let help = String(decoding: h.feed(Array("help\n".utf8))[0], as: UTF8.self)
    #expect(help.contains("read-only"))
    #expect(
      String(decoding: h.feed(Array("version\r\n".utf8))[0], as: UTF8.self).contains("KP-TEST-1"))
    #expect(
      String(decoding: h.feed(Array("alarms\r\n".utf8))[0], as: UTF8.self).contains("door-open"))
    #expect(String(decoding: h.feed(Array("log 2\r\n".utf8))[0], as: UTF8.self).contains("entry 2"))
    #expect(
      String(decoding: h.feed(Array("counters\r\n".utf8))[0], as: UTF8.self).hasPrefix("COUNTERS"))
    for cmd in ["start", "bolus", "program 1 2 3", "stop", "PAUSE"] {
      let r = String(decoding: h.feed(Array("\(cmd)\r\n".utf8))[0], as: UTF8.self)
      #expect(r.hasPrefix("NAK 13 console-read-only"), "\(cmd): \(r)")
    }
    #expect(h.executed.count == 3)
    #expect(h.audits.filter { $0.reason.hasPrefix("console-read-only") }.count == 5)
  }

  @Test("REQ-PROTO-VER: HELLO negotiates the lower minor of the same major")
  func hello() throws {
    var h = Harness()
    let r = Harness.reply(h.feed(plainFrame("HELLO,1,1.7"))[0])
    guard case .ack(.hello(let info))? = r?.result else {
      Issue.record("no hello")
      return
    }
    #expect(info.protocolVersion == ProtocolVersion(major: 1, minor: 0))
    #expect(info.deviceId == "KP-TEST-1")
    #expect(info.capabilities == .simulator)
    #expect(Harness.nakCode(h.feed(plainFrame("HELLO,2,2.0"))[0]) == .versionUnsupported)
  }

  @Test("REQ-PROTO-TLM: telemetry starts after HELLO at 1 Hz; TLMRATE 100 gives 100 Hz")
  func telemetrySchedule() throws {
    var h = Harness()
    h.tick(5_000)
    #expect(!h.other.contains(.sendTelemetry))
    h.feed(plainFrame("HELLO,1,1.0"))
    var count = 0
    for _ in 0..<300 {
      h.tick(10)
      count += h.other.filter { $0 == .sendTelemetry }.count
      h.other.removeAll()
    }
    #expect(count == 4)  // at HELLO, then every 1000 ms
    let refused = h.feed(plainFrame("TLMRATE,2,100"))
    #expect(Harness.nakCode(refused[0]) == .authRequired, "the rate needs a session")
    var l = Link(role: .vitals)
    try l.connectAndLogin()
    _ = try l.send(.setTelemetry(hertz: 100))
    h = l.h
    h.other.removeAll()
    count = 0
    for _ in 0..<100 {
      h.tick(10)
      count += h.other.filter { $0 == .sendTelemetry }.count
      h.other.removeAll()
    }
    #expect(count == 100)
  }

  @Test("REQ-PROTO-NAK: every NAK code is reachable", .timeLimit(.minutes(1)))
  func everyNak() throws {
    var seen = Set<NakCode>()
    func note(_ b: [[UInt8]]) {
      for x in b {
        if let c = Harness.nakCode(x) { seen.insert(c) }
        let s = String(decoding: x, as: UTF8.self)
        if s.hasPrefix("NAK 13") { seen.insert(.consoleReadOnly) }
      }
    }
    var h = Harness()
    note(h.feed(plainFrame("LOGIN,1,clinician,\(String(repeating: "00", count: 16))")))  // 16
    note(h.feed(plainFrame("TLMRATE,2,1x")))  // 01
    note(h.feed(plainFrame("FLY,3")))  // 02
    note(h.feed(plainFrame("TLMRATE,4,101")))  // 03
    note(h.feed(plainFrame("HELLO,5,9.0")))  // 04
    note(h.feed(plainFrame("START,6")))  // 05
    note(h.feed(plainFrame("AUTH,7,\(String(repeating: "00", count: 16))")))  // 11
    note(h.feed(Array("start\r\n".utf8)))  // 13
    h.feed(plainFrame("HELLO,8,1.0"))
    for i in 0..<5 {
      h.feed(plainFrame("LOGIN,\(10 + 2 * i),clinician,\(String(repeating: "11", count: 16))"))
      note(h.feed(plainFrame("AUTH,\(11 + 2 * i),\(String(repeating: "00", count: 16))")))  // 09
    }
    note(h.feed(plainFrame("LOGIN,30,clinician,\(String(repeating: "11", count: 16))")))  // 10
    // Logged-in codes.
    var l = Link(role: .patient)
    try l.connectAndLogin()
    l.h.result = { r in
      r == .patientBolus
        ? .bolusDenied(.lockout, lockoutRemaining: Milliseconds(5)) : .rejected(.notAllowedInMode)
    }
    _ = try l.send(.patientBolus)  // 15
    l.h.result = { r in r == .patient ? .noPatient : .rejected(.notAllowedInMode) }
    _ = try l.send(.patient)  // 17
    l.h.result = { r in
      r == .patientBolus
        ? .bolusDenied(.lockout, lockoutRemaining: Milliseconds(5)) : .rejected(.notAllowedInMode)
    }
    _ = try l.send(.pause)  // 14
    _ = try l.send(.start)  // 08
    note(l.h.feed(macFrame("PAUSE,1", key: l.host.sessionKey)))  // 07
    // 06: MAC'd with a random wrong key.
    var wrong = SeededGenerator(seed: 606)
    let forger = SessionKey(
      bytes: Handshake.randomBytes(32, using: &wrong), sessionId: l.host.sessionKey!.sessionId)
    note(l.h.feed(macFrame("PAUSE,600", key: forger)))
    l.h.tick(3_001)
    _ = try l.send(.stop)  // 12
    note(l.h.sent)
    #expect(seen == Set(NakCode.allCases), "missing: \(Set(NakCode.allCases).subtracting(seen))")
  }

  @Test("REQ-PROTO-AUDIT: malformed privileged commands are refused and audited")
  func malformedPrivilegedAudited() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let before = l.h.audits.count
    let r = l.h.feed(macFrame("RATE,50,12x", key: l.host.sessionKey))
    #expect(Harness.nakCode(r[0]) == .malformed)
    #expect(l.h.audits.count == before + 1)
    #expect(l.h.audits.last?.command == "RATE" && l.h.audits.last?.outcome == .rejected)
    #expect(l.h.executed.isEmpty)
  }
}
