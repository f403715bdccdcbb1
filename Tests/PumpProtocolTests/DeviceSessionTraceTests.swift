import PumpCore
import PumpNoise
import Testing

@testable import PumpProtocol

/// Exact action traces and determinism (STYLE.md: exhaustive effect assertions, shifted start
/// time gives the same result).
@Suite("DeviceSession traces")
struct DeviceSessionTraceTests {
  /// Runs a fixed script of host frames and ticks starting at `start`; returns every action
  /// with times made relative to `start`.
  static func run(start: Int64) throws -> [String] {
    var rng = SeededGenerator(seed: 31)
    let secret = DeviceSecret.generate(using: &rng)
    var device = DeviceSession(
      config: DeviceSessionConfig(info: Harness.info), secret: secret,
      random: SeededGenerator(seed: 32))
    var host = HostSession(
      config: HostSessionConfig(
        key: try secret.roleKey(for: .clinician), deviceId: Harness.info.deviceId))
    var trace: [String] = []
    var now = Milliseconds(start)
    func record(_ actions: [DeviceSessionAction]) {
      for a in actions {
        switch a {
        case .audit(var r):
          r.time = r.time - Milliseconds(start)
          trace.append("audit \(r)")
        default: trace.append("\(a)")
        }
      }
    }
    func deliver(_ bytes: [UInt8]) {
      let actions = device.receive(bytes: bytes, now: now)
      record(actions)
      for case .send(let r) in actions {
        for case .send(let more) in host.receive(bytes: r, now: now) { deliver(more) }
      }
    }
    deliver(try host.send(.hello(.current), now: now).bytes)
    var nonces = SeededGenerator(seed: 33)
    deliver(try host.login(hostNonce: Handshake.randomBytes(16, using: &nonces), now: now).bytes)
    now = now + Milliseconds(400)
    deliver(try host.send(.stop, now: now).bytes)
    for _ in 0..<5 {
      now = now + Milliseconds(1_000)
      record(device.tick(now: now))
    }
    return trace
  }

  @Test("REQ-PROTO-DET: shifting the start time changes no action")
  func determinism() throws {
    #expect(try Self.run(start: 0) == Self.run(start: 987_654_321))
  }

  @Test("REQ-PROTO-TRACE: login, STOP and link loss produce exactly these actions")
  func trace() throws {
    let t = try Self.run(start: 0)
    let kinds = t.map { line -> String in
      if line.hasPrefix("audit") { return String(line.prefix(while: { $0 != ":" })) }
      if line.hasPrefix("send(") { return "send" }
      if line.hasPrefix("execute(") { return "execute" }
      return line
    }
    #expect(
      kinds == [
        "send",  // HELLO ACK
        "send",  // LOGIN challenge
        "send",  // AUTH ACK
        "linkEstablished(PumpProtocol.Role.clinician)",
        "audit audit t=0 role=clinician cmd=LOGIN seq=3 accepted",
        "execute",  // STOP handed to the firmware (the script does not complete it)
        "sendTelemetry",  // t=1400 (HELLO at 0 scheduled the first frame)
        "sendTelemetry",  // t=2400
        "sendTelemetry",  // t=3400: 3000 ms since STOP, not yet more
        "linkLost",  // t=4400: > 3000 ms without authenticated traffic
        "audit audit t=4400 role=clinician cmd=SESSION seq=- rejected",
        "sendTelemetry",  // telemetry continues for observers
        "sendTelemetry",
      ])
  }
}
