import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpNoise
import PumpProtocol
import SerialTransport
import Testing

/// The audit trail end to end: every privileged command, login and failed login a host saw
/// answered is on the trail after kill -9 and a restart, readable with `pumpmon audit`.
@Suite("Audit trail survives kill -9", .serialized)
struct AuditTrailTests {
  @Test(
    "REQ-FW-AUDIT-04: kill -9 campaign: every answered privileged command, login and failed login is on the trail after the restart; pumpmon audit reads it (text and JSON); observers and patients may not",
    .timeLimit(.minutes(2)))
  func survivesKill() throws {
    let keys = try Keys(deviceId: "KP-AUDIT-1")
    let runs = environmentInt("KETAPUMP_AUDIT_KILLS", 5)
    var rng = SeededGenerator(seed: seed("AUDIT", 2026))
    var sim = try PumpSim(keys: keys, ["--log-level", "error", "--telemetry-hz", "0"])
    let state = try #require(sim.stateDir)
    let runDir = sim.directory + "/run"
    var expected: [(command: String, outcome: AuditRecord.Outcome)] = []
    for run in 0..<runs {
      let commands = 1 + Int(rng.next() % 4)
      try session(.clinician, keys, port: sim.port) { c in
        expected.append(("LOGIN", .accepted))
        for _ in 0..<commands {
          // START in idle is refused by the controller: a rejected privileged command.
          let r = try? c.request(.start)
          expected.append(("START", r == nil ? .rejected : .accepted))
        }
      }
      expected.append(("LOGOUT", .accepted))
      // A failed login: a forged proof.
      var raw = try RawAuth(port: sim.port)
      try raw.failOnce()
      expected.append(("AUTH", .rejected))
      _ = sim.stop(SIGKILL)
      sim = try PumpSim(
        keys: keys, runDir: runDir, stateDir: state,
        ["--log-level", "error", "--telemetry-hz", "0"])
      _ = run
    }
    let result = try runProduct(
      "pumpmon", ["audit", sim.port, "--key", keys.device, "--count", "99999", "--json"])
    #expect(result.status == 0, "\(result.err)")
    let lines = try #require(result.jsonLines)
    let trail = lines.compactMap { o -> (String, String)? in
      guard let c = o["command"] as? String, let out = o["outcome"] as? String else { return nil }
      return (c, out)
    }
    // The trail in order, without the audit reader's own login (the last record).
    let got = trail.dropLast().map { "\($0.0) \($0.1)" }
    let want = expected.map { "\($0.command) \($0.outcome.rawValue)" }
    #expect(got == want)
    let text = try runProduct("pumpmon", ["audit", sim.port, "--key", keys.device])
    #expect(text.status == 0 && text.out.contains("clinician START #4 rejected"))
    let observer = try runProduct("pumpmon", ["audit", sim.port])
    #expect(observer.status == 3, "observers may not read the trail")
    let patient = try runProduct(
      "pumpmon", ["audit", sim.port, "--key", keys.path(.patient)])
    #expect(patient.status == 3, "patients may not read the trail")
    #expect(sim.stop() == 0)
  }
}

/// A host that offers a wrong proof once, in raw frames (no client logic can hide the failure).
struct RawAuth {
  let device: SerialDevice
  init(port: String) throws { device = try SerialDevice.open(path: port) }

  mutating func failOnce() throws {
    defer { device.close() }
    _ = try exchange("HELLO,1,1.0")
    _ = try exchange("LOGIN,2,clinician,\(String(repeating: "5A", count: 16))")
    let reply = try exchange("AUTH,3,\(String(repeating: "00", count: 16))")
    guard reply.contains("$NAK,3,09,") else {
      throw TestFailure("the forged AUTH was not refused: \(reply)")
    }
  }

  /// Sends one frame and returns what came back until the reply's line end (≤ 2 s).
  private func exchange(_ body: String) throws -> String {
    let frame = try FrameEncoder.frame(body: Array(body.utf8))
    guard case .wrote(frame.count) = device.write(frame) else {
      throw TestFailure("write failed")
    }
    let seq = body.split(separator: ",")[1]
    var got: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 512)
    let ok = poll(
      until: {
        if case .bytes(let n) = device.read(into: &buffer) { got += buffer[0..<n] }
        let text = String(decoding: got, as: UTF8.self)
        return text.contains(",\(seq),") && text.hasSuffix("\r\n")
      }, timeout: 2)
    guard ok else { throw TestFailure("no reply to \(body.prefix(12))") }
    return String(decoding: got, as: UTF8.self)
  }
}
