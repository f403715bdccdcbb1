import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

/// `pumpmon send` and `pumpmon run` against a real pumpsim: exit codes, JSON lines, NAK reasons.
@Suite("pumpmon send and run", .serialized)
struct ScriptModeTests {
  @Test(
    "REQ-MON-SCRIPT-01: send exits 0 on ACK, 2 on NAK with the reason, 3 on a wrong key, 4 on an unknown port, 64 on bad usage",
    .timeLimit(.minutes(1)))
  func exitCodes() throws {
    let bench = try Bench("KP-MON-S1")
    let run = bench.runDir
    let id = bench.keys.deviceId
    var r = try pumpmon(["send", id, "status"], runDir: run)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("ACK STATUS idle"))
    r = try pumpmon(["send", id, "--key", bench.keys.device, "start"], runDir: run)
    #expect(r.status == 2)
    #expect(r.err.contains("start refused: NAK 14 rejected (not-allowed-in-mode)"))
    // A key of another device: HELLO names the other device, nothing is sent.
    let other = try Keys(deviceId: "KP-OTHER")
    r = try pumpmon(["send", id, "--key", other.path(.clinician), "start"], runDir: run)
    #expect(r.status == 3)
    #expect(r.err.contains("the key file is for device KP-OTHER"))
    // Group-readable key file: refused before connecting.
    chmod(bench.keys.path(.patient), 0o644)
    r = try pumpmon(["send", id, "--key", bench.keys.path(.patient), "bolus"], runDir: run)
    #expect(r.status == 3)
    #expect(r.err.contains("chmod 600"))
    r = try pumpmon(["send", "/dev/does-not-exist", "status"], runDir: run)
    #expect(r.status == 4)
    #expect(r.err.contains("unknown port '/dev/does-not-exist'"))
    #expect(r.err.contains(id))
    r = try pumpmon(["send", "KP-NOPE", "status"], runDir: run)
    #expect(r.status == 4)
    r = try pumpmon(["send", id, "rate", "fast"], runDir: run)
    #expect(r.status == 64)
    #expect(r.err.contains("rate"))
    r = try pumpmon(["send", id, "bolus"], runDir: run)
    #expect(r.status == 3)
    #expect(r.err.contains("BOLUS needs the patient role (not logged in): give --key FILE"))
    for out in [r.err] { #expect(!out.contains("Fatal error") && !out.contains("Stack")) }
    #expect(bench.sim.stop() == 0)
  }

  @Test(
    "REQ-MON-SCRIPT-02: --json prints one parseable object per line for every reply, NAK (code, name, reason, denial) and event, plus link counters",
    .timeLimit(.minutes(1)))
  func jsonLines() throws {
    let bench = try Bench("KP-MON-S2")
    try bench.startTherapy()
    let args = ["send", bench.keys.deviceId, "--key", bench.keys.device, "--json"]
    var r = try pumpmon(args + ["bolus"], runDir: bench.runDir)
    #expect(r.status == 0, "\(r.err)")
    var lines = try #require(r.jsonLines, "\(r.out)")
    #expect(lines.contains { $0["type"] as? String == "reply" && $0["kind"] as? String == "BOLUS" })
    #expect(
      lines.contains { $0["type"] as? String == "event" && $0["event"] as? String == "BOLUSOK" })
    let counters = try #require(lines.last)
    #expect(counters["type"] as? String == "counters")
    #expect(counters["crc_errors"] as? Int == 0)
    #expect(counters["retransmits"] != nil && counters["sequence_gaps"] != nil)
    r = try pumpmon(args + ["bolus"], runDir: bench.runDir)
    #expect(r.status == 2)
    lines = try #require(r.jsonLines, "\(r.out)")
    let nak = try #require(lines.first { $0["type"] as? String == "nak" })
    #expect(nak["code"] as? Int == 15)
    #expect(nak["name"] as? String == "bolus-denied")
    // Pump time is virtual here: the first bolus is still running.
    #expect(nak["denial"] as? String == "bolus-in-progress")
    #expect((nak["reason"] as? String)?.isEmpty == false)
    // Role refused by the device: the message names the role needed.
    r = try pumpmon(
      ["send", bench.keys.deviceId, "--key", bench.keys.path(.patient), "--json", "start"],
      runDir: bench.runDir)
    #expect(r.status == 2)
    lines = try #require(r.jsonLines, "\(r.out)")
    #expect(lines.contains { $0["name"] as? String == "role-forbidden" })
    #expect(r.err.contains("START needs the clinician role (logged in as patient)"))
    #expect(bench.sim.stop() == 0)
  }

  @Test(
    "REQ-MON-SCRIPT-03: run executes a script with role switches and expectations; a malformed line is reported as file:line before anything is sent (64); a failed expectation exits 1, a NAK 2",
    .timeLimit(.minutes(1)))
  func scripts() throws {
    let bench = try Bench("KP-MON-S3")
    let dir = temporaryDirectory("script")
    let good = """
      # ward start
      role service
      clock mode virtual
      role vitals
      vitals sbp=125 dbp=75 hr=80 spo2=97 rr=14
      role clinician
      program template=ward-adult basal=5mg/h bolus=2mg lockout=10min limit_1h=15mg limit_4h=40mg
      start
      expect mode infusing
      role patient
      bolus
      try bolus
      expect mode infusing(patient-bolus)
      """
    try good.write(toFile: "\(dir)/good.txt", atomically: true, encoding: .utf8)
    var r = try pumpmon(
      ["run", bench.keys.deviceId, "\(dir)/good.txt", "--key", bench.keys.device, "--json"],
      runDir: bench.runDir)
    #expect(r.status == 0, "\(r.err)")
    let lines = try #require(r.jsonLines, "\(r.out)")
    #expect(lines.contains { $0["kind"] as? String == "START" && $0["line"] as? Int == 8 })
    #expect(
      lines.contains { $0["denial"] as? String == "bolus-in-progress" && $0["line"] as? Int == 12 })

    try "status\nstart\nrate 5 parsecs\n".write(
      toFile: "\(dir)/bad.txt", atomically: true, encoding: .utf8)
    r = try pumpmon(
      ["run", bench.keys.deviceId, "\(dir)/bad.txt", "--key", bench.keys.device],
      runDir: bench.runDir)
    #expect(r.status == 64)
    #expect(r.err.contains("\(dir)/bad.txt:3: rate"))
    #expect(r.out.isEmpty)

    try "expect mode idle\n".write(toFile: "\(dir)/expect.txt", atomically: true, encoding: .utf8)
    r = try pumpmon(["run", bench.keys.deviceId, "\(dir)/expect.txt"], runDir: bench.runDir)
    #expect(r.status == 1)
    #expect(r.err.contains("expect.txt:1: expected mode idle, found infusing(patient-bolus)"))

    try "role clinician\nstart\n".write(toFile: "\(dir)/nak.txt", atomically: true, encoding: .utf8)
    r = try pumpmon(
      ["run", bench.keys.deviceId, "\(dir)/nak.txt", "--key", bench.keys.device],
      runDir: bench.runDir)
    #expect(r.status == 2)
    #expect(r.err.contains("nak.txt:2: start refused: NAK 14 rejected (not-allowed-in-mode)"))
    #expect(bench.sim.stop() == 0)
  }
}
