import Foundation
import KetaPumpTestSupport
import Testing

/// pumpsim refuses, at start-up, a telemetry rate its line cannot carry (issue 11 §3).
@Suite struct TelemetryBudgetCLITests {
  @Test(
    "REQ-PROTO-TLM-3: pumpsim --pace-baud --telemetry-hz 100 exits 1 naming the line budget and the highest rate that fits; 47 Hz starts"
  )
  func startupBudget() throws {
    let keys = try Keys(deviceId: "KP-TLM-BUDGET")
    let dir = temporaryDirectory("tlm-budget")
    let base = [
      "run", "--key", keys.device, "--run-dir", dir + "/run", "--state-dir", dir + "/state",
      "--pace-baud",
    ]
    let refused = try runProduct("pumpsim", base + ["--telemetry-hz", "100"])
    #expect(refused.status == 1)
    #expect(
      refused.err.contains(
        "--telemetry-hz 100: 24200 B/s of telemetry does not fit 115200 baud 8N1 (11520 B/s); at most 47 Hz"
      ), "\(refused.err)")
    let sim = try PumpSim(base + ["--telemetry-hz", "47", "--json", "--log-level", "error"])
    #expect(!sim.port.isEmpty)
    #expect(sim.stop() == 0)
  }
}
