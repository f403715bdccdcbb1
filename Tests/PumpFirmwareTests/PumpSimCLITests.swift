import Foundation
import KetaPumpTestSupport
import PumpCore
import Testing

/// pumpsim's bad-input paths: each a clear one-line message, a non-zero exit, nothing
/// overwritten.
@Suite("pumpsim command line")
struct PumpSimCLITests {
  @Test("REQ-FW-CLI-01: a bad profile names file:line:column and exits 1")
  func badProfile() throws {
    let keys = try Keys()
    let dir = temporaryDirectory("badprofile")
    let profile = "\(dir)/pump.yaml"
    var text = try String(
      contentsOfFile: "\(repoRoot)/HardwareProfiles/syringe-pca-60ml.yaml", encoding: .utf8)
    text = text.replacingOccurrences(of: "control_tick: \"10 ms\"", with: "control_tick: \"10 mL\"")
    try text.write(toFile: profile, atomically: true, encoding: .utf8)
    for f in ["drug-library.yaml", "care-areas.yaml"] {
      try FileManager.default.copyItem(
        atPath: "\(repoRoot)/HardwareProfiles/\(f)", toPath: "\(dir)/\(f)")
    }
    let r = try runProduct(
      "pumpsim",
      ["run", "--profile", profile, "--key", keys.device, "--run-dir", temporaryDirectory("run")])
    #expect(r.status == 1)
    #expect(r.err.contains("\(profile):"))
    #expect(r.err.contains("control_tick"))
    #expect(!r.err.contains("Stack") && !r.err.contains("Fatal"))
  }

  @Test("REQ-FW-CLI-02: a missing or group/world-readable key file is refused")
  func badKeys() throws {
    let keys = try Keys()
    var r = try runProduct("pumpsim", ["run", "--key", "/nonexistent/pump.key"])
    #expect(r.status == 1)
    #expect(r.err.contains("/nonexistent/pump.key: cannot read key file"))
    chmod(keys.device, 0o644)
    r = try runProduct(
      "pumpsim", ["run", "--key", keys.device, "--run-dir", temporaryDirectory("run")])
    #expect(r.status == 1)
    #expect(r.err.contains("accessible to group or others (mode 644)"))
    #expect(r.err.contains("chmod 600"))
    chmod(keys.device, 0o600)
    r = try runProduct(
      "pumpsim", ["run", "--key", keys.path(.clinician), "--run-dir", temporaryDirectory("run")])
    #expect(r.status == 1)
    #expect(r.err.contains("not the device secret"))
  }

  @Test("REQ-FW-CLI-03: keygen never overwrites a key; files are mode 0600")
  func keygen() throws {
    let keys = try Keys()
    let before = try String(contentsOfFile: keys.device, encoding: .utf8)
    let r = try runProduct(
      "pumpsim", ["keygen", "--device-id", "KP-E2E-1", "--out", keys.device])
    #expect(r.status == 1)
    #expect(r.err.contains("already exists"))
    #expect(try String(contentsOfFile: keys.device, encoding: .utf8) == before)
    let mode =
      try FileManager.default.attributesOfItem(atPath: keys.path(.patient))[.posixPermissions]
      as? Int
    #expect(mode == 0o600)
    let bad = try runProduct(
      "pumpsim", ["keygen", "--device-id", "bad id!", "--out", "/tmp/x.key"])
    #expect(bad.status == 64)
    #expect(bad.err.contains("--device-id must be"))
  }

  @Test("REQ-FW-CLI-04: a busy name or link, an unusable state directory, bad flags: clear errors")
  func busyAndState() throws {
    let keys = try Keys()
    let run = temporaryDirectory("run")
    let sim = try PumpSim([
      "run", "--key", keys.device, "--run-dir", run, "--json", "--log-level", "error",
    ])
    var r = try runProduct(
      "pumpsim", ["run", "--key", keys.device, "--run-dir", run])
    #expect(r.status == 1)
    #expect(r.err.contains("in use") || r.err.contains("busy"))
    sim.stop()
    let file = temporaryDirectory("state") + "/file"
    FileManager.default.createFile(atPath: file, contents: Data())
    r = try runProduct(
      "pumpsim", ["run", "--key", keys.device, "--run-dir", run, "--state-dir", file])
    #expect(r.status == 1)
    #expect(r.err.contains("state directory"))
    #expect(!FileManager.default.fileExists(atPath: "\(run)/kp-e2e-1"))  // link cleaned up
    r = try runProduct(
      "pumpsim", ["run", "--key", keys.device, "--clock", "fast:0"])
    #expect(r.status == 64)
    #expect(r.err.contains("--clock must be real or fast:N"))
    r = try runProduct(
      "pumpsim", ["run", "--key", keys.device, "--telemetry-hz", "101"])
    #expect(r.status == 64)
  }

  @Test("REQ-FW-CLI-05: a corrupt journal brings the pump up in fault, says why, keeps the file")
  func corruptJournal() throws {
    let keys = try Keys()
    let state = temporaryDirectory("state")
    let journal = "\(state)/journal.kpj"
    try "garbage, not a journal record\n".write(
      toFile: journal, atomically: true, encoding: .utf8)
    let sim = try PumpSim([
      "run", "--key", keys.device, "--run-dir", temporaryDirectory("run"), "--state-dir", state,
      "--json", "--log-level", "critical",
    ])
    #expect(sim.ready["mode"] as? String == "fault(journal)")
    #expect((sim.ready["journalFault"] as? String)?.contains("corrupt") == true)
    let t = try EndToEndTests.status(keys, port: sim.port)
    #expect(t.mode == .fault(.journal))
    sim.stop()
    #expect(
      try String(contentsOfFile: journal, encoding: .utf8) == "garbage, not a journal record\n")
  }

  @Test("REQ-FW-CLI-06: profiles validates the shipped directory; every command has --help")
  func profilesAndHelp() throws {
    let r = try runProduct("pumpsim", ["profiles", "--dir", "\(repoRoot)/HardwareProfiles"])
    #expect(r.status == 0)
    #expect(r.out.contains("syringe-pca-60ml"))
    #expect(r.out.contains("all files valid"))
    for sub in ["run", "fleet", "keygen", "profiles"] {
      let help = try runProduct("pumpsim", [sub, "--help"])
      #expect(help.status == 0)
      #expect(help.out.contains("Example"))
    }
  }
}
