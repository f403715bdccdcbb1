import Foundation
import KetaPumpTestSupport
import PumpCore
import Testing

/// `pumpsim fleet` sized by the kernel's limits, not a fixed maximum.
@Suite("pumpsim fleet", .serialized)
struct FleetTests {
  @Test(
    "REQ-FW-FLEET-01: a fleet larger than the free pseudo-terminals (kernel.pty.max − kernel.pty.nr) is refused with the limit named, exit 1, no port left behind",
    .timeLimit(.minutes(1)))
  func pastThePtyLimit() throws {
    let max = try #require(
      (try? String(contentsOfFile: "/proc/sys/kernel/pty/max", encoding: .utf8))
        .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    let run = temporaryDirectory("fleet-run")
    let r = try runProduct(
      "pumpsim",
      [
        "fleet", "--count", "\(max + 1)", "--key-dir", temporaryDirectory("fleet-keys"),
        "--run-dir", run, "--log-level", "error",
      ])
    #expect(r.status == 1)
    #expect(r.err.contains("kernel.pty.max \(max)"), "\(r.err)")
    #expect(r.err.contains("pseudo-terminals are free"), "\(r.err)")
    let left = (try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []
    #expect(!left.contains { $0.hasPrefix("fleet-") }, "\(left)")
  }

  @Test(
    "REQ-FW-FLEET-02: an idle fleet past the per-user inotify instance limit (128) sleeps on one shared instance, and every pump answers STATUS at once",
    .timeLimit(.minutes(1)))
  func idleFleetAnswers() throws {
    let run = temporaryDirectory("fleet-run")
    let sim = try PumpSim([
      "fleet", "--count", "150", "--key-dir", temporaryDirectory("fleet-keys"), "--run-dir", run,
      "--log-level", "error", "--json",
    ])
    // The loop starts once every pump is up: wait for the fleet's own ready line.
    var up = false
    while !up, let line = sim.process.readLine(timeout: 30) { up = line.contains("fleet of 150") }
    #expect(up)
    for i in 1...150 {
      let tag = String(format: "%04d", i)
      let asked = Date()
      let t = try status(port: "\(run)/fleet-\(tag)")
      #expect(t.mode == .idle)
      // Not a wait for the loop's next wake (up to 60 s idle) nor a 250 ms re-check: the host's
      // open wakes the loop through the fleet's shared inotify instance.
      #expect(Date().timeIntervalSince(asked) < 1.5, "pump \(i)")
    }
    #expect(sim.stop() == 0)
  }
}
