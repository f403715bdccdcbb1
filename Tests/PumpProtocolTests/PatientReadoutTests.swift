import Foundation
import PumpCore
import PumpNoise
import Testing

@testable import PumpProtocol

/// The simulator-only PATIENT request (docs/PROTOCOL.md §4.2.2).
@Suite("PATIENT request")
struct PatientReadoutTests {
  static let sample = PatientReadout(
    time: .hours(1), plasmaTenths: 1234, effectSiteTenths: 1187, painTenths: 42,
    dissociationTenths: 310, hrTenths: 812, sbpTenths: 1315, dbpTenths: 802, spo2Tenths: 979,
    rrTenths: 141, presses: 12, profileID: "adult-70kg", seed: 1)
  static let longest = PatientReadout(
    time: Milliseconds(999_999_999_999_999), plasmaTenths: 99_999_999,
    effectSiteTenths: 99_999_999, painTenths: 100, dissociationTenths: 1000, hrTenths: 9999,
    sbpTenths: 9999, dbpTenths: 9999, spo2Tenths: 1000, rrTenths: 9999, presses: 999_999_999,
    profileID: String(repeating: "p", count: 32), seed: .max)

  /// The §10 vector session after AUTH, then PATIENT answered with `sample`, PATIENT answered
  /// "no patient", and the longest reply.
  static func generate() throws -> (vectors: [(String, String)], host: [HostSessionAction]) {
    var v: [(String, String)] = []
    var device = DeviceSession(
      config: DeviceSessionConfig(info: VectorTests.info), secret: VectorTests.secret,
      random: CountingBytes())
    var host = HostSession(
      config: HostSessionConfig(
        key: try VectorTests.secret.roleKey(for: .clinician), deviceId: VectorTests.deviceId))
    let now = Milliseconds(0)
    func exchange(_ bytes: [UInt8]) -> [UInt8] {
      var reply: [UInt8] = []
      for case .send(let b) in device.receive(bytes: bytes, now: now) { reply = b }
      var next: [UInt8] = []
      for case .send(let b) in host.receive(bytes: reply, now: now) { next = b }
      return next
    }
    _ = exchange(try host.send(.hello(.current), now: now).bytes)
    _ = exchange(exchange(try host.login(hostNonce: VectorTests.hostNonce, now: now).bytes))
    #expect(host.state == .loggedIn)
    var actions: [HostSessionAction] = []
    for (name, result) in [
      ("patient", CommandResult.patient(sample)), ("patient-none", .noPatient),
    ] {
      let request = try host.send(.patient, now: now).bytes
      v.append(("frame-\(name)", VectorTests.text(request)))
      var reply: [UInt8] = []
      for a in device.receive(bytes: request, now: now) {
        guard case .execute(let p) = a else { continue }
        #expect(p.request == .patient)
        for case .send(let b) in device.complete(p, with: result, now: now) { reply = b }
      }
      v.append(("frame-\(name)-reply", VectorTests.text(reply)))
      actions += host.receive(bytes: reply, now: now)
    }
    let key = try #require(host.sessionKey)
    let body = DeviceReply(seq: .max, .ack(.patient(longest))).body().bytes
    let frame = try FrameEncoder.frame(body: body, mac: key.mac(.device, body: body))
    v.append(("frame-patient-longest-reply", VectorTests.text(frame)))
    return (v, actions)
  }

  static func documentVectors() throws -> [(String, String)] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("docs/PROTOCOL.md")
    let doc = try String(contentsOf: url, encoding: .utf8)
    guard let b = doc.range(of: "<!-- BEGIN PATIENT VECTORS -->"),
      let e = doc.range(of: "<!-- END PATIENT VECTORS -->")
    else { return [] }
    return doc[b.upperBound..<e.lowerBound].split(separator: "\n").compactMap { line in
      guard let eq = line.range(of: " = ") else { return nil }
      return (String(line[..<eq.lowerBound]), String(line[eq.upperBound...]))
    }
  }

  @Test(
    "REQ-PROTO-PATIENT-01: §4.2.2's vectors match the code; the host reads the reply back exactly; no patient is NAK 17 no-patient; the longest reply fits a frame"
  )
  func vectors() throws {
    let (generated, actions) = try Self.generate()
    if let out = ProcessInfo.processInfo.environment["KETAPUMP_VECTORS_OUT"] {
      try generated.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")
        .write(toFile: out + ".patient", atomically: true, encoding: .utf8)
    }
    let doc = try Self.documentVectors()
    #expect(doc.count == generated.count)
    for (g, d) in zip(generated, doc) {
      #expect(g.0 == d.0)
      #expect(g.1 == d.1, "\(g.0)")
    }
    let replies = actions.compactMap { a -> DeviceReply? in
      if case .reply(.patient, let r) = a { return r }
      return nil
    }
    #expect(replies.count == 2)
    #expect(replies.first?.result == .ack(.patient(Self.sample)))
    guard case .nak(let n)? = replies.last?.result else {
      Issue.record("expected a NAK, got \(replies)")
      return
    }
    #expect(n.code == .noPatient)
    #expect(n.code.rawValue == 17)
    #expect(n.reason.contains("--patient"))
    let longest = try #require(generated.last?.1)
    #expect(longest.utf8.count + 2 <= 255)
    var d = FrameDecoder()
    guard case .framed(let body)? = d.decodeAll(Array((longest + "\r\n").utf8)).first else {
      Issue.record("longest reply does not decode")
      return
    }
    #expect(try DeviceReply(parsing: ParsedFrame(body)).result == .ack(.patient(Self.longest)))
  }

  @Test(
    "REQ-PROTO-PATIENT-02: PATIENT is read-only like STATUS: every role and an observer may read it, also as the console line 'patient'; it is no controller event and is never audited"
  )
  func readOnly() throws {
    #expect(RequestKind.patient.permission == .readOnly)
    #expect(HostRequest.patient.pumpEvent == nil)
    for role in [nil] + Role.authenticated.map(Optional.some) {
      var l = Link(role: role)
      if role == nil {
        _ = try l.send(.hello(.current))
      } else {
        try l.connectAndLogin()
      }
      l.h.result = { r in r == .patient ? .patient(Self.sample) : .accepted }
      let audits = l.h.audits.count
      let seq = try l.send(.patient)
      #expect(l.reply(seq)?.result == .ack(.patient(Self.sample)), "\(String(describing: role))")
      #expect(l.h.audits.count == audits, "reading the patient is not audited")
    }
    var h = Harness()
    h.result = { r in r == .patient ? .patient(Self.sample) : .noPatient }
    let text = h.feed(Array("patient\r\n".utf8)).map { String(decoding: $0, as: UTF8.self) }
    #expect(
      text == [
        "PATIENT t=3600000ms profile=adult-70kg seed=1 cp=123.4ng/mL ce=118.7ng/mL pain=4.2"
          + " dissociation=31.0 hr=81.2 sbp=131.5 dbp=80.2 spo2=97.9 rr=14.1 presses=12\r\n"
      ])
    h.result = { _ in .noPatient }
    let none = h.feed(Array("PATIENT\r\n".utf8)).map { String(decoding: $0, as: UTF8.self) }
    #expect(none.first?.hasPrefix("NAK 17 no-patient: no simulated patient") == true)
    #expect(h.audits.isEmpty)
  }

  @Test(
    "REQ-PROTO-PATIENT-03: the byte-level reader and the general reader agree on every reply, valid or damaged (same value or same error), and never trap"
  )
  func readersAgree() throws {
    var g = RandomMessages(rng: SeededGenerator(seed: 1717))
    var damaged = 0
    for i in 0..<3000 {
      let p = g.patient()
      var body = DeviceReply(seq: UInt32(i), .ack(.patient(p))).body().bytes
      if i % 2 == 1 {
        // Damage one byte with a field character, a digit, a comma or a minus.
        let at = Int.random(in: 0..<body.count, using: &g.rng)
        body[at] = g.pick(Array("0959,-a ".utf8))
        damaged += 1
      }
      let general: Result<PatientReadout, ProtocolError>
      do {
        let reply = try DeviceReply(parsing: ParsedFrame(FrameBody(bytes: body)))
        guard case .ack(.patient(let q)) = reply.result else { continue }
        general = .success(q)
      } catch { general = .failure(error) }
      let fast: Result<PatientReadout, ProtocolError>
      do {
        let v = try FrameView(body[...])
        var c = v.fields
        guard v.kindIs("ACK"),
          (try? c.next("kind")).map({ $0.elementsEqual("PATIENT".utf8) }) == true
        else { continue }
        var q = PatientReadout.zero
        try q.read(&c)
        try c.end()
        fast = .success(q)
      } catch { fast = .failure(error) }
      #expect(general == fast, "\(String(decoding: body, as: UTF8.self))")
      if i % 2 == 0 { #expect(general == .success(p)) }
    }
    #expect(damaged == 1500)
  }

  @Test("REQ-PROTO-PATIENT-01: tenths round half away from zero and survive the round trip")
  func tenths() {
    #expect(PatientReadout.tenths(12.25) == 123)
    #expect(PatientReadout.tenths(12.24999) == 122)
    #expect(PatientReadout.tenths(0.04) == 0)
    #expect(PatientReadout.tenths(.nan) == 0)
    #expect(PatientReadout.tenths(.infinity) == 999_999_999_999)
    var rng = SeededGenerator(seed: 10)
    for _ in 0..<10_000 {
      let k = Int64.random(in: 0...99_999_999, using: &rng)
      #expect(PatientReadout.tenths(PatientReadout.value(tenths: k)) == k)
      let x = Double.random(in: 0...10_000, using: &rng)
      let once = PatientReadout.tenths(x)
      #expect(PatientReadout.tenths(PatientReadout.value(tenths: once)) == once)
      #expect(abs(PatientReadout.value(tenths: once) - x) <= 0.05 + 1e-9)
    }
  }
}

extension PatientReadout {
  static let zero = PatientReadout(
    time: .zero, plasmaTenths: 0, effectSiteTenths: 0, painTenths: 0, dissociationTenths: 0,
    hrTenths: 0, sbpTenths: 0, dbpTenths: 0, spo2Tenths: 0, rrTenths: 0, presses: 0,
    profileID: "", seed: 0)
}
