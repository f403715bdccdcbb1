import PumpCore
import PumpNoise
import Testing

@testable import PumpProtocol

/// Issue 11: sessions that never wedge, and every point where the spec and the device must agree
/// (docs/PROTOCOL.md §1–§7). Each test names the rule it pins.
@Suite("Session lifecycle and spec agreement")
struct SessionLifecycleTests {
  static let nonce = String(repeating: "AB", count: 16)

  /// The bytes every host's first frame has: `HELLO,1,1.0`.
  static let hello1 = plainFrame("HELLO,1,1.0")

  @Test(
    "REQ-PROTO-HUP-01: LOGOUT, hang-up, the next host's HELLO,1 (the byte sequence of the first-run wedge) is answered at once and it can log in"
  )
  func helloAfterLogoutAndHangup() throws {
    var l = Link(role: .service)
    try l.connectAndLogin()
    _ = try l.send(.clock(.mode(.virtual)))
    let out = try l.send(.logout)
    #expect(l.reply(out)?.result == .ack(.done(.logout)))
    l.h.apply(l.h.device.hangUp(now: l.h.now))
    // The next host: a fresh HostSession whose seq starts at 1 again.
    var next = Link(role: .clinician)
    next.h = l.h
    try next.connectAndLogin()
    #expect(next.host.state == .loggedIn)
    #expect(next.h.device.role == .clinician)
  }

  @Test(
    "REQ-PROTO-HUP-02: another host's byte-identical HELLO,1 / STATUS,2 is answered afresh, never with the last host's cached reply (with or without a hang-up seen)"
  )
  func unauthenticatedNeverCached() throws {
    var h = Harness()
    for hangUp in [false, true, false] {
      let before = h.executed.count
      let retransmits = h.device.counters.retransmits
      #expect(Harness.reply(h.feed(Self.hello1)[0])?.result != nil)
      let r = h.feed(plainFrame("STATUS,2"))
      #expect(Harness.reply(r[0])?.seq == 2)
      #expect(h.executed.count == before + 1, "STATUS executed again, not from the cache")
      #expect(h.device.counters.retransmits == retransmits)
      if hangUp { h.apply(h.device.hangUp(now: h.now)) }
    }
  }

  @Test(
    "REQ-PROTO-HUP-03: a hang-up ends the session at once (link lost, audited); the old session's frames then need a login; LOGIN needs a new HELLO"
  )
  func hangupEndsSession() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let key = try #require(l.h.device.active?.key)
    l.h.apply(l.h.device.hangUp(now: l.h.now))
    #expect(l.h.other.contains(.linkLost))
    #expect(l.h.audits.last?.reason == "host hung up the line")
    #expect(!l.h.device.isAuthenticated && l.h.device.protocolVersion == nil)
    let late = l.h.feed(macFrame("START,9", key: key))
    #expect(Harness.nakCode(late[0]) == .authRequired)
    #expect(l.h.executed.isEmpty)
    let login = l.h.feed(plainFrame("LOGIN,1,clinician,\(Self.nonce)"))
    #expect(Harness.nakCode(login[0]) == .helloRequired)
    // Without a session nothing is reported lost.
    l.h.other.removeAll()
    #expect(l.h.device.hangUp(now: l.h.now).isEmpty)
  }

  @Test(
    "REQ-PROTO-SEQ-4: a new session may restart its seq at 1 or continue; a byte-identical request of an earlier session is never taken for a retransmission"
  )
  func seqAcrossSessions() throws {
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let s1 = try l.send(.start)
    _ = try l.send(.logout)
    // Continue: the same host logs in again on the same link, seq keeps counting.
    var nonceGen = SeededGenerator(seed: 43)
    l.pump(try l.host.login(hostNonce: Handshake.randomBytes(16, using: &nonceGen), now: l.h.now).1)
    #expect(l.host.state == .loggedIn)
    _ = try l.send(.start)
    #expect(l.h.executed.map(\.request) == [.start, .start])
    // Restart: a new host, seq from 1, reaches START with the same seq as the first one.
    var r = Link(role: .clinician, seed: 7)
    r.h = l.h
    try r.connectAndLogin()
    let s3 = try r.send(.start)
    #expect(s3 == s1)
    #expect(r.h.executed.map(\.request) == [.start, .start, .start])
  }

  @Test(
    "REQ-PROTO-MAL-01: a readable kind and seq always get one reply: lowercase MAC or a bad field byte → NAK 01; only an unreadable kind/seq gets none"
  )
  func malformedGetsReply() throws {
    var h = Harness()
    h.feed(Self.hello1)
    let lower = plainFrame("START,5#0123456789abcdef")
    let r = h.feed(lower)
    #expect(r.count == 1 && Harness.reply(r[0])?.seq == 5)
    #expect(Harness.nakCode(r[0]) == .malformed)
    let shortMac = h.feed(plainFrame("START,6#0123"))
    #expect(Harness.nakCode(shortMac[0]) == .malformed)
    #expect(h.feed(plainFrame("start,7")).isEmpty, "lowercase kind: unreadable")
    #expect(h.feed(plainFrame("START,x7")).isEmpty, "unreadable seq")
    #expect(h.device.counters.malformed == 4)
  }

  @Test("REQ-PROTO-VER-2: HELLO version syntax is NAK 01, a number above 255 NAK 03")
  func helloVersionRange() throws {
    var h = Harness()
    for (v, code) in [
      ("1.256", NakCode.outOfRange), ("256.0", .outOfRange), ("1.x", .malformed),
      ("1", .malformed), ("1.0000", .malformed), ("-1.0", .malformed), ("2.0", .versionUnsupported),
    ] {
      let r = h.feed(plainFrame("HELLO,3,\(v)"))
      #expect(Harness.nakCode(r[0]) == code, "HELLO \(v)")
    }
    #expect(Harness.nakCode(h.feed(plainFrame("HELLO,4,1.007"))[0]) == nil, "leading zeros")
  }

  @Test(
    "REQ-PROTO-NUM-01: numbers: ['-'] digits; leading zeros allowed; '+5', '5.0', ' 5', '' are syntax (NAK 01); negative or > 18 digits are range (NAK 03)"
  )
  func numberSyntax() throws {
    func parse(_ s: String) -> ProtocolError? {
      do {
        _ = try HostRequest(parsing: ParsedFrame(FrameBody(bytes: Array(s.utf8))))
        return nil
      } catch { return error }
    }
    #expect(parse("ALARMS,1,007") == nil)
    #expect(parse("ALARMS,1,-5") == .outOfRange(field: "offset"))
    #expect(parse("ALARMS,1,-0") == nil)
    #expect(parse("ALARMS,1,1234567890123456789") == .outOfRange(field: "offset"))
    for bad in ["+5", "5.0", " 5", "5 ", "--5", "-", "0x5", "1e3"] {
      #expect(parse("ALARMS,1,\(bad)") == .malformed(field: "offset"), "'\(bad)'")
    }
    #expect(parse("RATE,1,") == .malformed(field: "rate"))
  }

  @Test(
    "REQ-PROTO-LEN-2: at most 253 bytes before the terminator ($ + 252): accepted with CR LF (255) or a lone LF (254); one more is overlong"
  )
  func lengthBoundary() throws {
    let f = try FrameEncoder.frame(
      body: Array("LOG,1,".utf8) + Array(repeating: UInt8(ascii: "a"), count: 255 - 8 - 6))
    #expect(f.count == 255 && f.suffix(2) == [0x0D, 0x0A])
    var d = FrameDecoder()
    #expect(d.decodeAll(f).count == 1)
    let lf = Array(f.dropLast(2)) + [0x0A]
    #expect(d.decodeAll(lf).count == 1, "the same frame with a lone LF")
    let console = Array(repeating: UInt8(ascii: "s"), count: 253) + [0x0A]
    #expect(d.decodeAll(console) == [.console(String(repeating: "s", count: 253))])
    let long = Array(repeating: UInt8(ascii: "s"), count: 254) + [0x0A]
    #expect(d.decodeAll(long) == [.refused(.overlong)])
    #expect(FrameDecoder.maxFrameContent == 252)
  }

  @Test(
    "REQ-PROTO-DEC-9: every byte of noise is accounted for: garbage counts the bytes skipped after a dropped frame or line"
  )
  func garbageAccounting() {
    var rng = SeededGenerator(seed: 11)
    var d = FrameDecoder()
    let total = 1 << 20
    var noise = [UInt8](repeating: 0, count: total)
    for i in noise.indices {
      var b = UInt8(truncatingIfNeeded: rng.next())
      if b == 0x0D || b == 0x0A || b == UInt8(ascii: "$") { b = 0 }
      noise[i] = b
    }
    #expect(d.decodeAll(noise).isEmpty)
    let garbage = Int(d.counters.garbageBytes)
    #expect(garbage <= total && garbage >= total - 253, "garbage \(garbage) of \(total)")
  }

  @Test("REQ-PROTO-RTX-3: a retransmitted LOGOUT gets its cached ACK, not NAK 12")
  func logoutRetransmission() throws {
    var l = Link(role: .patient)
    try l.connectAndLogin()
    let (_, bytes) = try l.host.send(.logout, now: l.h.now)
    let first = l.h.feed(bytes)
    let again = l.h.feed(bytes)
    #expect(Harness.reply(first[0])?.result == .ack(.done(.logout)))
    #expect(again == first)
    #expect(l.h.audits.filter { $0.command == "LOGOUT" }.count == 1)
  }

  @Test(
    "REQ-PROTO-AUTH-6: a copy of the AUTH is a retransmission only until the host's first MAC'd request; afterwards a replayed LOGIN+AUTH fails"
  )
  func replayedHandshake() throws {
    var l = Link(role: .clinician)
    _ = try l.send(.hello(.current))
    var nonceGen = SeededGenerator(seed: 42)
    let (_, loginBytes) = try l.host.login(
      hostNonce: Handshake.randomBytes(16, using: &nonceGen), now: l.h.now)
    // Capture the AUTH the host sends.
    var authBytes: [UInt8] = []
    for reply in l.h.feed(loginBytes) {
      for case .send(let b) in l.host.receive(bytes: reply, now: l.h.now) { authBytes = b }
    }
    let ack = l.h.feed(authBytes)
    #expect(l.h.feed(authBytes) == ack, "a retransmitted AUTH gets the cached ACK")
    #expect(l.h.other.filter { $0 == .linkEstablished(.clinician) }.count == 1)
    for a in l.host.receive(bytes: ack[0], now: l.h.now) { l.hostActions.append(a) }
    _ = try l.send(.ping)
    let replayedLogin = l.h.feed(loginBytes)
    let challenge = try #require(Harness.reply(replayedLogin[0]))
    #expect(Harness.nakCode(replayedLogin[0]) == nil)
    let replayedAuth = l.h.feed(authBytes)
    #expect(Harness.nakCode(replayedAuth[0]) == .authFailed, "fresh challenge: the old proof fails")
    #expect(challenge.seq == 2)
    #expect(l.h.other.filter { $0 == .linkEstablished(.clinician) }.count == 1)
  }

  @Test(
    "REQ-PROTO-CON-2: a person at a terminal always sees why nothing happened: an overlong line, a $frame typed without CRC"
  )
  func consoleAlwaysAnswers() throws {
    var h = Harness()
    for line in [String(repeating: "x", count: 300), "$STOP,900"] {
      let out = h.feed(Array((line + "\r\n").utf8))
      #expect(out.count == 1, "no answer to \(line.prefix(12))")
      let text = String(decoding: out.first ?? [], as: UTF8.self)
      #expect(text.hasPrefix("NAK 01 malformed:"), "\(text)")
    }
    #expect(h.executed.isEmpty)
  }

  @Test(
    "REQ-PROTO-TLM-2: the telemetry rate needs a session, and a rate whose worst-case frames exceed the line is refused with the highest that fits"
  )
  func telemetryLineBudget() throws {
    var l = Link(role: .vitals) { $0.lineBytesPerSecond = 115_200 / 10 }
    #expect(Harness.nakCode(l.h.feed(plainFrame("TLMRATE,1,5"))[0]) == .authRequired)
    try l.connectAndLogin()
    let s = try l.send(.setTelemetry(hertz: 100))
    guard case .nak(let n)? = l.reply(s)?.result else {
      Issue.record("100 Hz at 115200 8N1 was accepted")
      return
    }
    #expect(n.code == .outOfRange && n.detail == 47)
    #expect(n.reason.contains("24200 B/s") && n.reason.contains("11520 B/s"))
    #expect(l.h.device.telemetryHertz == 1)
    let ok = try l.send(.setTelemetry(hertz: 47))
    #expect(l.reply(ok)?.result == .ack(.done(.setTelemetry)))
    #expect(l.h.device.telemetryHertz == 47)
    #expect(
      l.h.audits.filter { $0.command == "TLMRATE" }.map(\.outcome) == [
        .rejected, .rejected, .accepted,
      ])
    var pty = Link(role: .vitals)
    try pty.connectAndLogin()
    _ = try pty.send(.setTelemetry(hertz: 100))
    #expect(pty.h.device.telemetryHertz == 100, "a pseudo-terminal paces nothing")
  }

  @Test("REQ-PROTO-LEN-3: Telemetry.maxFrameBytes is the worst-case TLM frame on the wire")
  func worstCaseTelemetryFrame() throws {
    let t = Telemetry.worstCase
    let frame = try FrameEncoder.frame(
      body: DeviceMessage.telemetry(deviceSeq: .max, t).body().bytes,
      mac: Array(repeating: 0xFF, count: 8))
    #expect(frame.count == Telemetry.maxFrameBytes)
  }

  @Test(
    "REQ-PROTO-AUTH-7: 5 failed logins in a row on a line, any roles, raise the link-security alarm once; a patient login does not clear it, a clinician login does"
  )
  func securityAlarm() throws {
    var h = Harness(seed: 7)
    h.feed(Self.hello1)
    var seq = 2
    for role in ["patient", "vitals", "service", "patient", "vitals", "service"] {
      h.feed(plainFrame("LOGIN,\(seq),\(role),\(Self.nonce)"))
      h.feed(plainFrame("AUTH,\(seq + 1),\(String(repeating: "00", count: 16))"))
      seq += 2
    }
    #expect(h.other.filter { $0 == .securityAlert(true) }.count == 1)
    #expect(h.audits.contains { $0.reason.hasPrefix("link-security alarm: 5 failed logins") })
    var patient = Link(role: .patient)
    patient.h = h
    try patient.connectAndLogin()
    #expect(!patient.h.other.contains(.securityAlert(false)))
    var clinician = Link(role: .clinician)
    clinician.h = patient.h
    try clinician.connectAndLogin()
    #expect(clinician.h.other.contains(.securityAlert(false)))
    #expect(!clinician.h.device.securityAlert)
  }
}
