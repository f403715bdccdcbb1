import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpNoise
import PumpProtocol
import SerialTransport
import Testing

extension Reliability {
  /// Issue #7 "telemetry gaps detected and counted": 100 Hz telemetry through a relay that
  /// damages the pump → host direction; the host's gap count (device sequence jumps) must match
  /// the telemetry and event frames the relay damaged, less those before the first and after the
  /// last intact frame (a gap shows only between two frames that arrive).
  @Suite("Reliability: telemetry gaps", .serialized)
  struct TelemetryGapTests {
    @Test(
      "REQ-REL-NOISE-02: telemetry frames lost on a noisy line are detected and counted by the host, consistent with what the line damaged",
      .timeLimit(.minutes(1)))
    func gapsCounted() throws {
      let seed = seed("GAPS", 31_337)
      let seconds = Int64(environmentInt("KETAPUMP_GAP_SECONDS", 5))
      let keys = try Keys(deviceId: "KP-REL-GAPS")
      let sim = try PumpSim(keys: keys, ["--log-level", "error", "--telemetry-hz", "0"])
      let link = temporaryDirectory("gaps") + "/noisy"
      let relay = try NoiseRelay(
        config: NoiseRelayConfig(
          pumpPath: sim.port, hostLink: link,
          runDirectory: RunDirectory(path: temporaryDirectory("relay-run")),
          toPump: .none, toHost: .issue7, seed: seed))
      relay.start()
      // The telemetry rate needs a session (docs/PROTOCOL.md §4.1).
      var config = HostSessionConfig(key: try keys.key(.vitals))
      config.retransmitTimeout = Milliseconds(20)
      config.maxAttempts = 10
      let c = try PumpClient.open(path: link, config: config)
      var frames = 0
      c.observe = { if case .telemetry = $0 { frames += 1 } }
      try c.hello()
      try c.login()
      try c.request(.setTelemetry(hertz: 100))
      try c.run(forMs: seconds * 1000)
      try c.request(.setTelemetry(hertz: 0))  // its ACK comes after every TLM before it
      try c.run(forMs: 100)
      let counters = relay.counters.toHost
      let resets = c.session.counters.deviceSeqResets
      c.port.close()
      relay.close()
      let damaged = (counters.damagedByKind["TLM"] ?? 0) + (counters.damagedByKind["EVT"] ?? 0)
      print(
        "telemetry gaps (seed \(seed)): \(frames) frames received in \(seconds) s at 100 Hz; host counted \(c.missedFrames) missing (\(resets) repeats); relay damaged \(damaged) TLM/EVT frames; \(counters)"
      )
      #expect(c.missedFrames > 0)
      #expect(Int(c.missedFrames) <= damaged, "seed \(seed)")
      #expect(Int(c.missedFrames) + 6 >= damaged, "seed \(seed)")
      #expect(try sim.stopWithFigures().exitStatus == 0)
    }
  }
}
