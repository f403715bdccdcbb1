import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

/// Tickless idle (issue 13): an idle pumpsim sleeps until input or its next deadline; a pump in
/// therapy keeps the fixed control tick; the watchdog only judges passes that were due. Pass
/// counts come from pumpsim's JSON "stopped" line; bounds are loose so a busy machine passes.
@Suite("pumpsim tickless idle", .serialized)
struct TicklessTests {
  static let calm = VitalsSample(sbp: 125, dbp: 75, hr: 80)

  static func start(_ keys: Keys) throws -> PumpSim {
    try PumpSim(keys: keys, ["--log-level", "error", "--telemetry-hz", "0"])
  }

  static func startTherapy(_ keys: Keys, port: String) throws {
    try session(.vitals, keys, port: port) { try $0.request(.vitals(calm)) }
    try session(.clinician, keys, port: port) { c in
      try c.request(.program(wardRx))
      try c.request(.start)
    }
  }

  @Test(
    "REQ-FW-TICKLESS-01: an idle pumpsim (no therapy, no host) sleeps: a handful of loop passes in 2 s, not one per control tick",
    .timeLimit(.minutes(1)))
  func idleSleeps() throws {
    let sim = try Self.start(try Keys(deviceId: "KP-TL-1"))
    usleep(2_000_000)
    let f = try sim.stopWithFigures()
    #expect(f.exitStatus == 0)
    // 200 at a 10 ms tick before; start-up, the ready line and SIGTERM take a few.
    #expect(f.passes <= 10, "\(f)")
    #expect(f.watchdogTrips == 0, "\(f)")
  }

  @Test(
    "REQ-FW-TICKLESS-02: a therapy started on an idle pump ticks at once at the profile's control tick",
    .timeLimit(.minutes(1)))
  func therapyTicks() throws {
    let keys = try Keys(deviceId: "KP-TL-2")
    let sim = try Self.start(keys)
    usleep(1_000_000)
    try Self.startTherapy(keys, port: sim.port)
    let started = Date()
    usleep(1_000_000)
    let t = try status(port: sim.port)
    let ticking = Date().timeIntervalSince(started)
    let f = try sim.stopWithFigures()
    #expect(t.mode == .infusing(.basal))
    // 10 ms tick: ~100 passes a second while infusing; at least half of them on a busy machine.
    #expect(Double(f.passes) >= ticking * 50, "\(f) over \(ticking) s")
    #expect(f.watchdogTrips == 0, "\(f)")
  }

  @Test(
    "REQ-FW-TICKLESS-03: a host request to a sleeping pump is answered at once",
    .timeLimit(.minutes(1)))
  func answersWhileIdle() throws {
    let sim = try Self.start(try Keys(deviceId: "KP-TL-3"))
    usleep(1_500_000)
    let asked = Date()
    let t = try status(port: sim.port)
    let took = Date().timeIntervalSince(asked)
    #expect(t.mode == .idle)
    // HELLO + STATUS: two round trips; a loop asleep until its next wake would take up to 60 s.
    // (A port past the per-user inotify limit notices a host at its 250 ms re-check.)
    #expect(took < 1.5, "status took \(took) s")
    let f = try sim.stopWithFigures()
    #expect(f.passes <= 20, "\(f)")
  }

  @Test(
    "REQ-FW-TICKLESS-04: the watchdog judges only due passes: long idle sleeps and a SIGSTOP of an idle pump trip nothing; a SIGSTOP during therapy still faults it (REQ-FW-WATCHDOG-01)",
    .timeLimit(.minutes(1)))
  func watchdogOnlyWhenDue() throws {
    let keys = try Keys(deviceId: "KP-TL-4")
    let sim = try Self.start(keys)
    usleep(1_000_000)
    kill(sim.pid, SIGSTOP)
    usleep(400_000)
    kill(sim.pid, SIGCONT)
    #expect(try status(port: sim.port).mode == .idle)
    try Self.startTherapy(keys, port: sim.port)
    #expect(try status(port: sim.port).mode == .infusing(.basal))
    kill(sim.pid, SIGSTOP)
    usleep(400_000)
    kill(sim.pid, SIGCONT)
    let t = try status(port: sim.port)
    #expect(t.mode == .fault(.watchdog))
    #expect(t.commandedRate == .zero)
    let f = try sim.stopWithFigures()
    #expect(f.watchdogTrips == 1, "\(f)")
  }

  @Test(
    "REQ-FW-TICKLESS-06: kill -9 of a sleeping pump (therapy paused, a bolus given, the loop idle for 2 s) restores the same state: paused, same delivery, bolus count and lockout",
    .timeLimit(.minutes(1)))
  func killWhileIdle() throws {
    let keys = try Keys(deviceId: "KP-TL-6")
    let run = temporaryDirectory("run")
    let state = temporaryDirectory("state")
    let args = ["--log-level", "error", "--telemetry-hz", "0"]
    let sim = try PumpSim(keys: keys, runDir: run, stateDir: state, args)
    try Self.startTherapy(keys, port: sim.port)
    try session(.patient, keys, port: sim.port) { try $0.request(.patientBolus) }
    usleep(300_000)
    try session(.clinician, keys, port: sim.port) { try $0.request(.pause) }
    usleep(2_000_000)
    let before = try status(port: sim.port)
    #expect(before.mode == .paused(.clinician))
    sim.stop(SIGKILL)
    let again = try PumpSim(keys: keys, runDir: run, stateDir: state, args)
    let after = try status(port: again.port)
    // A paused therapy stays paused across the power cycle (a running one comes back
    // paused(powerCycle)); nothing is delivered while paused, and the lockout kept running.
    #expect(
      after.mode == .paused(.clinician) || after.mode == .paused(.powerCycle), "\(after.mode)")
    #expect(after.deliveredTotal == before.deliveredTotal)
    #expect(after.bolusDeliveries == before.bolusDeliveries)
    #expect(after.bolusDemands == before.bolusDemands)
    #expect(after.lockoutRemaining <= before.lockoutRemaining)
    #expect(after.lockoutRemaining + Milliseconds(5_000) >= before.lockoutRemaining)
    #expect(again.stop() == 0)
  }
}
