import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

/// The real dashboard in a real terminal: pumpmon inside tmux against a real pumpsim, keys sent
/// with `tmux send-keys`, the screen read with `tmux capture-pane`, assertions on what a person
/// sees.
@Suite("pumpmon dashboard in tmux", .serialized)
struct DashboardTests {
  static func command(_ bench: Bench, _ args: String) -> String {
    "KETAPUMP_RUN_DIR=\(bench.runDir) \(productsDirectory)/pumpmon connect \(bench.keys.deviceId) \(args); echo EXITED $?; sleep 30"
  }

  @Test(
    "REQ-MON-DASH-01: dashboard shows mode, lockout countdown and alarm line; b+y boluses, a acknowledges, q quits with the terminal restored",
    .timeLimit(.minutes(2)))
  func bolusAcknowledgeQuit() throws {
    let bench = try Bench("KP-MON-D1")
    try bench.startTherapy()
    let tmux = try Tmux(
      command: Self.command(bench, "--key \(bench.keys.device) --role patient"))
    defer { tmux.kill() }
    var (ok, screen) = tmux.waitFor { $0.contains("MODE INFUSING(BASAL)") }
    #expect(ok, "\(screen)")
    #expect(screen.contains("[logged in (patient)]"))
    #expect(screen.contains("line 115200 8N1 (actual 115200 8N1)"))
    #expect(screen.contains("lockout none"))

    // b asks for confirmation; y sends the bolus: patient-bolus phase, lockout counting down.
    tmux.send("b")
    (ok, screen) = tmux.waitFor { $0.contains("CONFIRM") && $0.contains("patient bolus? (y/n)") }
    #expect(ok, "\(screen)")
    tmux.send("y")
    (ok, screen) = tmux.waitFor {
      $0.contains("MODE INFUSING(PATIENT-BOLUS)") && $0.contains("BOLUS granted 2 mg")
    }
    #expect(ok, "\(screen)")
    #expect(screen.range(of: #"lockout (10:00|9:[0-5][0-9])"#, options: .regularExpression) != nil)
    #expect(screen.contains("bolus demands 1  delivered 1"))

    // A downstream occlusion (service role) → a high alarm line, not acknowledged.
    tmux.send(":")
    tmux.send("role service", literal: true)
    tmux.send("Enter")
    (ok, screen) = tmux.waitFor { $0.contains("[logged in (service)]") }
    #expect(ok, "\(screen)")
    tmux.send(":")
    tmux.send("inject downstream 12psi", literal: true)
    tmux.send("Enter")
    (ok, screen) = tmux.waitFor { $0.contains("HIGH  occlusion-downstream  not acknowledged") }
    #expect(ok, "\(screen)")
    #expect(screen.contains("MODE PAUSED(ALARM)"))

    // a as the service role is refused with the role it needs; as clinician it acknowledges.
    tmux.send("a")
    (ok, screen) = tmux.waitFor {
      $0.contains("ACKALM needs the clinician role (logged in as service)")
    }
    #expect(ok, "\(screen)")
    tmux.send(":")
    tmux.send("role clinician", literal: true)
    tmux.send("Enter")
    (ok, screen) = tmux.waitFor { $0.contains("[logged in (clinician)]") }
    #expect(ok, "\(screen)")
    tmux.send("a")
    (ok, screen) = tmux.waitFor { $0.contains("HIGH  occlusion-downstream  acknowledged") }
    #expect(ok, "\(screen)")

    // q: exit 0, alternate screen left (the dashboard is gone from the pane).
    tmux.send("q")
    (ok, screen) = tmux.waitFor { $0.contains("EXITED 0") }
    #expect(ok, "\(screen)")
    #expect(!screen.contains("KetaPump monitor"))
    #expect(bench.sim.stop() == 0)
  }

  @Test(
    "REQ-MON-DASH-02: a terminal below 80x24 shows 'terminal too small (need 80x24)', redraws after a resize, and Ctrl-C restores the terminal",
    .timeLimit(.minutes(1)))
  func tooSmallAndResize() throws {
    let bench = try Bench("KP-MON-D2")
    let tmux = try Tmux(command: Self.command(bench, ""), cols: 60, rows: 20)
    defer { tmux.kill() }
    var (ok, screen) = tmux.waitFor { $0.contains("terminal too small (need 80x24, have 60x20)") }
    #expect(ok, "\(screen)")
    tmux.resize(cols: 100, rows: 30)
    (ok, screen) = tmux.waitFor {
      $0.contains("MODE IDLE") && $0.contains("[connected (observer)]")
    }
    #expect(ok, "\(screen)")
    tmux.send("C-c")
    (ok, screen) = tmux.waitFor { $0.contains("EXITED 0") }
    #expect(ok, "\(screen)")
    #expect(!screen.contains("KetaPump monitor"))
    // The terminal is back in cooked mode: the tty echoes what is typed again.
    tmux.send("typed-after-exit", literal: true)
    (ok, screen) = tmux.waitFor { $0.contains("typed-after-exit") }
    #expect(ok, "\(screen)")
    #expect(bench.sim.stop() == 0)
  }

  @Test(
    "REQ-MON-RECON-01: pumpsim killed (-9) and restarted under a connected dashboard: LINK LOST with the last state greyed, then reconnected and logged in again without user action",
    .timeLimit(.minutes(2)))
  func reconnect() throws {
    let bench = try Bench("KP-MON-R1")
    try bench.startTherapy()
    let tmux = try Tmux(
      command: Self.command(bench, "--key \(bench.keys.device) --role clinician"))
    defer { tmux.kill() }
    var (ok, screen) = tmux.waitFor { $0.contains("MODE INFUSING(BASAL)") }
    #expect(ok, "\(screen)")
    bench.sim.stop(SIGKILL)
    (ok, screen) = tmux.waitFor { $0.contains("LINK LOST") }
    #expect(ok, "\(screen)")
    #expect(screen.contains("showing last state"))
    #expect(screen.contains("MODE INFUSING(BASAL)"))
    let sim2 = try bench.restart()
    (ok, screen) = tmux.waitFor(15) {
      $0.contains("[logged in (clinician)]") && $0.contains("reconnects 1")
        && $0.contains("MODE PAUSED(POWER-CYCLE)")
    }
    #expect(ok, "\(screen)")
    tmux.send("q")
    (ok, screen) = tmux.waitFor { $0.contains("EXITED 0") }
    #expect(ok, "\(screen)")
    #expect(sim2.stop() == 0)
  }
}
