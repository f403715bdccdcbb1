import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpNoise
import PumpProtocol
import SerialTransport
import Testing

extension Reliability {
  /// Issue #7 "security": what an attacker on the serial line can do to a running pumpsim, checked
  /// on the pump's journal (no request record = nothing executed), its state, the NAK codes and
  /// its audit log (stderr at --log-level info).
  @Suite("Reliability: security", .serialized)
  struct SecurityTests {
    /// Privileged kinds (nothing an attacker sends may be ACKed with these).
    static let privileged: Set<String> = [
      "PROGRAM", "CONFIRM", "START", "PAUSE", "RESUME", "STOP", "LOGOUT", "RATE", "BOLUS", "CBOLUS",
      "VITALS", "ACKALM", "SILENCE", "RESET", "INJECT", "CLOCK", "AUTH",
    ]

    @Test(
      "REQ-REL-SEC-01: a captured clinician session replayed byte for byte on a new connection executes nothing: AUTH fails, every command is refused and audited",
      .timeLimit(.minutes(1)))
    func replay() throws {
      let keys = try Keys(deviceId: "KP-REL-REPLAY")
      let sim = try PumpSim(keys: keys, ["--log-level", "info", "--telemetry-hz", "0"])
      try session(.service, keys, port: sim.port) { try $0.request(.clock(.mode(.virtual))) }
      try session(.vitals, keys, port: sim.port) { try $0.request(.vitals(calmVitals)) }
      // The captured session: program, start, lower the rate, pause, stop, log out.
      var captured: [[UInt8]] = []
      let c = try PumpClient.open(path: sim.port, key: try keys.key(.clinician))
      c.traffic = { sent, bytes in if sent { captured.append(bytes) } }
      try c.hello()
      try c.login()
      try c.request(.program(wardRx))
      try c.request(.start)
      try c.request(.changeBasalRate(.milligramsPerHour(4)))
      try c.request(.pause)
      try c.request(.stop)
      c.close()
      let before = sim.journalRequests()
      let stateBefore = try status(port: sim.port)
      let logBefore = sim.log.count

      let attacker = try RawLine(path: sim.port)
      for chunk in captured {
        try attacker.write(chunk)
        attacker.read(forMs: 60)
      }
      attacker.read(forMs: 200)
      attacker.device.close()

      let after = sim.journalRequests()
      #expect(after == before, "replayed commands were executed: \(after.dropFirst(before.count))")
      let stateAfter = try status(port: sim.port)
      #expect(stateAfter.mode == stateBefore.mode)
      #expect(stateAfter.deliveredTotal == stateBefore.deliveredTotal)
      let replies = attacker.replies
      let acked = replies.compactMap { r -> String? in
        if case .ack(let a) = r.result { return a.kind.rawValue } else { return nil }
      }
      #expect(acked.allSatisfy { !Self.privileged.contains($0) }, "ACKed: \(acked)")
      let naks = replies.compactMap { r -> NakCode? in
        if case .nak(let n) = r.result { n.code } else { nil }
      }
      #expect(naks.contains(.authFailed), "AUTH with the old proof must fail: \(naks)")
      #expect(
        naks.allSatisfy { [.authFailed, .authRequired, .badMac, .sessionExpired].contains($0) },
        "\(naks)")
      #expect(naks.count >= 6, "every replayed command answered: \(naks)")
      let log = String(sim.log.dropFirst(logBefore))
      for kind in ["PROGRAM", "START", "RATE", "PAUSE", "STOP"] {
        #expect(log.contains("cmd=\(kind) ") && log.contains("rejected"), "no audit for \(kind)")
      }
      print(
        "replay: \(captured.count) captured writes replayed, replies \(acked.map { "ACK \($0)" } + naks.map { "NAK \($0.name)" })"
      )
      #expect(try sim.stopWithFigures().exitStatus == 0)
    }

    @Test(
      "REQ-REL-SEC-02: brute-forcing the clinician login: per-role back-off (NAK locked-out with the time left, never above 8 s), the link-security alarm raised and audited, other roles not held back, the right key logs in once the back-off ends and clears the alarm",
      .timeLimit(.minutes(1)))
    func bruteForce() throws {
      let keys = try Keys(deviceId: "KP-REL-BRUTE")
      let sim = try PumpSim(keys: keys, ["--log-level", "info", "--telemetry-hz", "0"])
      var rng = SeededGenerator(seed: seed("BRUTE", 99))
      let attacker = try RawLine(path: sim.port)
      var seq: UInt32 = 1
      _ = try attacker.send(.hello(.current), seq: seq)
      var codes: [NakCode] = []
      var backoffs: [Int64] = []
      while codes.count < 5 {
        seq += 1
        let challenge = try attacker.send(
          .login(
            .clinician, hostNonce: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }),
          seq: seq)
        if case .nak(let n)? = challenge?.result, n.code == .lockedOut {
          backoffs.append(n.detail)
          #expect((1...8000).contains(n.detail), "back-off \(n.detail) ms")
          usleep(useconds_t(n.detail * 1000))  // the device said how long: wait exactly that
          continue
        }
        guard case .ack(.login)? = challenge?.result else {
          throw TestFailure("no challenge: \(String(describing: challenge))")
        }
        seq += 1
        let reply = try attacker.send(
          .auth(proof: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }), seq: seq)
        if case .nak(let n)? = reply?.result { codes.append(n.code) }
      }
      #expect(codes == Array(repeating: .authFailed, count: 5))
      #expect(backoffs.count == 2 && backoffs.allSatisfy { $0 <= 1000 }, "\(backoffs)")
      seq += 1
      let locked = try attacker.send(
        .login(.clinician, hostNonce: Array(repeating: 7, count: 16)), seq: seq)
      guard case .nak(let n)? = locked?.result else {
        Issue.record("LOGIN during the back-off was not refused: \(String(describing: locked))")
        return
      }
      #expect(n.code == .lockedOut)
      #expect((1...2000).contains(n.detail), "back-off after 5 failures: \(n.detail) ms")
      attacker.device.close()
      #expect(try status(port: sim.port).alarms.contains { $0.code == .linkSecurity })

      // Another role is not held back; the clinician's alarm stays (a patient login).
      try session(.patient, keys, port: sim.port) { _ in }
      #expect(try status(port: sim.port).alarms.contains { $0.code == .linkSecurity })
      // The right key, once the back-off ended: logs in, and the alarm clears.
      usleep(useconds_t(n.detail * 1000))
      try session(.clinician, keys, port: sim.port) { _ in }
      #expect(try !status(port: sim.port).alarms.contains { $0.code == .linkSecurity })
      let log = sim.log
      #expect(log.contains("clinician logins refused for 500 ms after 3 failed logins in a row"))
      #expect(log.contains("link-security alarm: 5 failed logins in a row"))
      #expect(log.components(separatedBy: "login proof rejected").count - 1 >= 5)
      #expect(sim.journalRequests().isEmpty)
      #expect(try sim.stopWithFigures().exitStatus == 0)
    }

    @Test(
      "REQ-REL-SEC-03: patient and vitals keys cannot program or raise delivery: PROGRAM, START, RESUME, RATE, CBOLUS are refused (role-forbidden), change nothing and are audited; unauthenticated frames and console words likewise",
      .timeLimit(.minutes(1)))
    func roleEscalation() throws {
      let keys = try Keys(deviceId: "KP-REL-ROLES")
      let sim = try PumpSim(keys: keys, ["--log-level", "info", "--telemetry-hz", "0"])
      try session(.service, keys, port: sim.port) { try $0.request(.clock(.mode(.virtual))) }
      try session(.vitals, keys, port: sim.port) { try $0.request(.vitals(calmVitals)) }
      try session(.clinician, keys, port: sim.port) { c in
        try c.request(.program(wardRx))
        try c.request(.start)
      }
      let before = try status(port: sim.port)
      let journal = sim.journalRequests()
      var raised = wardRx
      raised.basalRate = .milligramsPerHour(10)
      let attempts: [HostRequest] = [
        .program(raised), .start, .resume, .changeBasalRate(.milligramsPerHour(10)),
        .clinicianBolus(.milligrams(5)),
      ]
      for role in [Role.patient, .vitals] {
        try session(role, keys, port: sim.port) { c in
          for r in attempts {
            do {
              try c.request(r)
              Issue.record("\(role) \(r) was accepted")
            } catch {
              guard case .nak(_, let n)? = error as? ClientError else { throw error }
              #expect(n.code == .roleForbidden || n.code == .authRequired, "\(role) \(r): \(n)")
            }
          }
        }
      }
      // No login at all: unauthenticated frames and console words.
      let raw = try RawLine(path: sim.port)
      _ = try raw.send(.hello(.current), seq: 1)
      for (i, r) in attempts.enumerated() {
        let reply = try raw.send(r, seq: UInt32(2 + i))
        guard case .nak(let n)? = reply?.result else {
          Issue.record("unauthenticated \(r): \(String(describing: reply))")
          continue
        }
        #expect(n.code == .authRequired)
      }
      try raw.write(Array("start\r\nrate 99999\r\n".utf8))
      raw.read(forMs: 200)
      #expect(raw.consoleLines.contains { $0.hasPrefix("NAK 13") }, "\(raw.consoleLines)")
      raw.device.close()

      let after = try status(port: sim.port)
      #expect(after.mode == before.mode)
      #expect(after.commandedRate == before.commandedRate)
      #expect(after.deliveredTotal == before.deliveredTotal)
      #expect(sim.journalRequests() == journal, "a refused command reached the journal")
      let log = sim.log
      for role in ["patient", "vitals"] {
        for kind in ["PROGRAM", "START", "RESUME", "RATE", "CBOLUS"] {
          let audited = log.split(separator: "\n").contains {
            $0.contains("role=\(role) cmd=\(kind) ") && $0.contains("rejected")
          }
          #expect(audited, "no audit record for \(role) \(kind)")
        }
      }
      let observerAudits = log.split(separator: "\n").filter {
        $0.contains("role=observer") && $0.contains("rejected")
      }
      #expect(observerAudits.count >= attempts.count, "\(observerAudits)")
      #expect(try sim.stopWithFigures().exitStatus == 0)
    }

    @Test(
      "REQ-REL-SEC-04: 1 MB of random binary and overlong lines into the port while infusing: the pump keeps its tick (no watchdog trip, longest loop gap within the watchdog timeout) and its therapy, and a clean session works afterwards",
      .timeLimit(.minutes(2)))
    func flood() throws {
      let seed = seed("FLOOD", 4242)
      let keys = try Keys(deviceId: "KP-REL-FLOOD")
      let sim = try PumpSim(keys: keys, ["--log-level", "error", "--telemetry-hz", "0"])
      try session(.vitals, keys, port: sim.port) { try $0.request(.vitals(calmVitals)) }
      try session(.clinician, keys, port: sim.port) { c in
        try c.request(.program(wardRx))
        try c.request(.start)
      }
      let before = try status(port: sim.port)
      #expect(before.mode == .infusing(.basal))

      var rng = SeededGenerator(seed: seed)
      var garbage = [UInt8](repeating: 0, count: 1 << 20)
      for i in garbage.indices { garbage[i] = UInt8(truncatingIfNeeded: rng.next()) }
      var lines: [UInt8] = []
      for i in 0..<200 {
        let length = 256 + Int(rng.next() % 4000)
        lines += i % 2 == 0 ? [] : Array("$".utf8)
        lines += (0..<length).map { _ in UInt8(0x21 + rng.next() % 90) }.map {
          $0 == 0x24 ? 0x41 : $0
        }
        lines += [0x0D, 0x0A]
      }
      let started = nowMs()
      let flooder = try RawLine(path: sim.port)
      try flooder.write(garbage)
      try flooder.write(lines)
      flooder.read(forMs: 100)
      flooder.device.close()
      let floodMs = nowMs() - started

      // Let the therapy run on (vitals kept fresh) so delivery can be seen to continue.
      try session(.vitals, keys, port: sim.port) { c in
        try c.request(.vitals(calmVitals))
        try c.run(forMs: 2000)
        try c.request(.vitals(calmVitals))
      }
      let (after, counters) = try session(.clinician, keys, port: sim.port) {
        c -> (Telemetry, LinkCounters) in
        guard case .ack(.status(let t)) = try c.request(.status).result,
          case .ack(.counters(let k)) = try c.request(.counters).result
        else { throw TestFailure("no status or counters") }
        return (t, k)
      }
      #expect(after.mode == .infusing(.basal), "\(after.mode) \(after.alarms)")
      #expect(after.commandedRate == before.commandedRate)
      #expect(after.deliveredTotal > before.deliveredTotal)
      #expect(!after.alarms.contains { $0.code == .watchdog })
      let figures = try sim.stopWithFigures()
      print(
        "flood (seed \(seed)): \(garbage.count + lines.count) bytes in \(floodMs) ms; pump counters: garbage \(counters.frames.garbageBytes) B outside lines, overlong \(counters.frames.overlong), dropped \(counters.frames.framesDropped), CRC errors \(counters.frames.crcErrors); loop: \(figures)"
      )
      #expect(counters.frames.overlong >= 100)
      #expect(counters.frames.framesDropped > 1000)
      #expect(figures.watchdogTrips == 0)
      #expect(figures.maxGapMs < 100, "longest loop gap \(figures.maxGapMs) ms (watchdog 100 ms)")
    }
  }
}
