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
    "REQ-FW-FLEET-02: an idle fleet sleeps, and every pump answers STATUS at once",
    .timeLimit(.minutes(1)))
  func idleFleetAnswers() throws {
    let run = temporaryDirectory("fleet-run")
    let sim = try PumpSim([
      "fleet", "--count", "12", "--key-dir", temporaryDirectory("fleet-keys"), "--run-dir", run,
      "--log-level", "error", "--json",
    ])
    usleep(300_000)
    for i in 1...12 {
      let tag = String(format: "%04d", i)
      let asked = Date()
      let t = try status(port: "\(run)/fleet-\(tag)")
      #expect(t.mode == .idle)
      // Not a wait for the loop's next wake (up to 60 s idle): input wakes it. A port past the
      // per-user inotify limit (128, shared with every process of this user) notices a host at
      // its 250 ms re-check, so allow for that.
      #expect(Date().timeIntervalSince(asked) < 1.5, "pump \(i)")
    }
    #expect(sim.stop() == 0)
  }
}
