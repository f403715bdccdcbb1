import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

/// Real pumpsim processes on real ptys, driven through PumpClient. Pump time is put under
/// service control (`CLOCK MODE VIRTUAL`), so the scenario does not depend on how fast this
/// machine is; every wait is bounded.
@Suite("pumpsim end to end", .serialized)
struct EndToEndTests {
  static let calm = VitalsSample(sbp: 125, dbp: 75, hr: 80)

  /// Advances pump time by `ms` in 4 s steps with calm vitals between (stale after 5 s).
  static func advance(_ ms: Int64, keys: Keys, port: String, vitals: VitalsSample = calm) throws {
    var left = ms
    while left > 0 {
      let step = min(left, 4000)
      try session(.service, keys, port: port) {
        try $0.request(.clock(.advance(Milliseconds(step))))
      }
      try session(.vitals, keys, port: port) { try $0.request(.vitals(vitals)) }
      left -= step
    }
  }

  static func status(_ keys: Keys, port: String) throws -> Telemetry {
    try session(.clinician, keys, port: port) { c in
      guard case .ack(.status(let t)) = try c.request(.status).result else {
        throw TestFailure("no status")
      }
      return t
    }
  }

  @Test(
    "REQ-FW-E2E-01: program, start, bolus granted, bolus denied in lockout, SBP critical stops the motor, acknowledge + reset → paused, occlusion → high alarm, reconnect, SIGTERM",
    .timeLimit(.minutes(2)))
  func wardScenario() throws {
    let keys = try Keys()
    let run = temporaryDirectory("run")
    let sim = try PumpSim([
      "run", "--key", keys.device, "--run-dir", run, "--json", "--log-level", "error",
      "--telemetry-hz", "0",
    ])
    let port = sim.port
    #expect(FileManager.default.fileExists(atPath: port))
    try session(.service, keys, port: port) { try $0.request(.clock(.mode(.virtual))) }
    try session(.vitals, keys, port: port) { try $0.request(.vitals(Self.calm)) }
    try session(.clinician, keys, port: port) { c in
      try c.request(.program(wardRx))
      try c.request(.start)
    }
    #expect(try Self.status(keys, port: port).mode == .infusing(.basal))

    // A patient bolus is granted and starts at once.
    try session(.patient, keys, port: port) { try $0.request(.patientBolus) }
    #expect(try Self.status(keys, port: port).mode == .infusing(.patientBolus))
    try Self.advance(180_000, keys: keys, port: port)

    // The second press, 3 min later, is denied with the lockout left (10 min lockout).
    let denial = try session(.patient, keys, port: port) { c -> Nak? in
      do {
        try c.request(.patientBolus)
        return nil
      } catch ClientError.nak(_, let n) {
        return n
      }
    }
    #expect(denial?.code == .bolusDenied)
    #expect(denial?.detail == Int64(BolusDenial.lockout.rawValue))
    #expect(denial?.reason.contains("lockout 420000 ms") == true)

    // SBP critical twice → interlock stop, motor off.
    let high = VitalsSample(sbp: 185, dbp: 80, hr: 80)
    try session(.vitals, keys, port: port) { c in
      try c.request(.vitals(high))
      try c.request(.vitals(high))
    }
    var t = try Self.status(keys, port: port)
    #expect(t.mode == .interlockStopped)
    #expect(t.commandedRate == .zero)
    #expect(t.alarms.first?.code == .vitalsInterlock)
    #expect(t.alarms.first?.priority == .high)

    // Calm again; acknowledge and reset → paused, not infusing.
    try Self.advance(2000, keys: keys, port: port)
    try session(.vitals, keys, port: port) { try $0.request(.vitals(Self.calm)) }
    try session(.clinician, keys, port: port) { c in
      try c.request(.acknowledgeAlarms)
      try c.request(.clinicianReset)
    }
    #expect(try Self.status(keys, port: port).mode == .paused(.interlockReset))

    // Resume, then an occlusion → high alarm, motor stopped.
    try session(.clinician, keys, port: port) { try $0.request(.resume) }
    try session(.service, keys, port: port) {
      try $0.request(.inject(.downstreamPressure(.psi(12))))
    }
    t = try Self.status(keys, port: port)
    #expect(t.alarms.contains { $0.code == .occlusionDownstream && $0.priority == .high })
    #expect(t.commandedRate == .zero)

    // Clear it, resume: a host that goes away and comes back finds the therapy running.
    try session(.service, keys, port: port) { try $0.request(.inject(.downstreamPressure(.zero))) }
    try session(.clinician, keys, port: port) { c in
      try c.request(.acknowledgeAlarms)
      try c.request(.resume)
    }
    #expect(try Self.status(keys, port: port).mode == .infusing(.basal))
    #expect(try Self.status(keys, port: port).mode == .infusing(.basal))

    #expect(sim.stop(SIGTERM) == 0)
    #expect(!FileManager.default.fileExists(atPath: port))
  }

  @Test(
    "REQ-FW-WATCHDOG-01: a stalled super-loop (SIGSTOP 400 ms) trips the watchdog: fault, motor off",
    .timeLimit(.minutes(1)))
  func watchdog() throws {
    let keys = try Keys(deviceId: "KP-E2E-2")
    let sim = try PumpSim([
      "run", "--key", keys.device, "--run-dir", temporaryDirectory("run"), "--json",
      "--log-level", "critical", "--telemetry-hz", "0",
    ])
    try session(.vitals, keys, port: sim.port) { try $0.request(.vitals(Self.calm)) }
    try session(.clinician, keys, port: sim.port) { c in
      try c.request(.program(wardRx))
      try c.request(.start)
    }
    // The stimulus, not a wait: the loop is stopped for 400 ms, longer than the watchdog allows.
    kill(sim.pid, SIGSTOP)
    usleep(400_000)
    kill(sim.pid, SIGCONT)
    let t = try Self.status(keys, port: sim.port)
    #expect(t.mode == .fault(.watchdog))
    #expect(t.commandedRate == .zero)
    #expect(t.alarms.contains { $0.code == .watchdog && $0.priority == .high })
    #expect(sim.stop() == 0)
  }

  @Test(
    "REQ-FW-LINK-01: a host that vanishes mid-session raises host-link-lost after 3 s; therapy continues; the next login clears it",
    .timeLimit(.minutes(1)))
  func hostLinkLoss() throws {
    let keys = try Keys(deviceId: "KP-E2E-3")
    let sim = try PumpSim([
      "run", "--key", keys.device, "--run-dir", temporaryDirectory("run"), "--json",
      "--log-level", "error", "--telemetry-hz", "0",
    ])
    try session(.service, keys, port: sim.port) { try $0.request(.clock(.mode(.virtual))) }
    try session(.vitals, keys, port: sim.port) { try $0.request(.vitals(Self.calm)) }
    // The clinician starts the therapy, then its tool dies without logging out.
    let c = try PumpClient.open(path: sim.port, key: try keys.key(.clinician))
    try c.hello()
    try c.login()
    try c.request(.program(wardRx))
    try c.request(.start)
    c.port.close()
    // Seen by an observer (no login) once the 3 s heartbeat has lapsed (polled, ≤ 10 s): the
    // low-priority alarm, and the pump still infusing.
    let seen = try poll(timeout: 10, interval: 0.1) { () throws -> Telemetry? in
      let t = try KetaPumpTestSupport.status(port: sim.port)
      return t.alarms.contains { $0.code == .hostLinkLost } ? t : nil
    }
    let t = try #require(seen, "no host-link-lost alarm within 10 s")
    #expect(t.mode == .infusing(.basal))
    #expect(t.alarms.contains { $0.code == .hostLinkLost && $0.priority == .low })
    // A new session re-establishes the link and the alarm clears.
    let after = try Self.status(keys, port: sim.port)
    #expect(!after.alarms.contains { $0.code == .hostLinkLost })
    #expect(after.mode == .infusing(.basal))
    #expect(sim.stop() == 0)
  }

  @Test(
    "REQ-FW-PORTS-01: a pump with two ports serves two sessions at once; events reach both",
    .timeLimit(.minutes(1)))
  func twoPorts() throws {
    let keys = try Keys(deviceId: "KP-E2E-4")
    let sim = try PumpSim([
      "run", "--key", keys.device, "--run-dir", temporaryDirectory("run"), "--json",
      "--log-level", "error", "--telemetry-hz", "0", "--ports", "2",
    ])
    let ports = sim.ports
    try #require(ports.count == 2)
    let monitor = try PumpClient.open(path: ports[1], key: try keys.key(.vitals))
    try monitor.hello()
    try monitor.login()
    var events: [DeviceEvent] = []
    monitor.observe = { if case .event(let e, true) = $0 { events.append(e) } }
    try monitor.request(.vitals(Self.calm))
    let clinician = try PumpClient.open(path: ports[0], key: try keys.key(.clinician))
    try clinician.hello()
    try clinician.login()
    try clinician.request(.program(wardRx))
    try clinician.request(.start)
    try monitor.request(.vitals(Self.calm))  // both sessions alive side by side
    try monitor.run(forMs: 100)
    #expect(events.contains(.modeChanged(.infusing(.basal))))
    clinician.close()
    monitor.close()
    #expect(sim.stop() == 0)
  }
}
