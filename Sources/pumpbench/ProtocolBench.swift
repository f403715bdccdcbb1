// The `protocol` suite: PumpProtocol codec and session costs (docs/PROTOCOL.md).
import PumpCore
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// CPU time of this process, ns.
private func cpuNanoseconds() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// A telemetry snapshot with realistic values (a ~150-byte frame).
private let sampleTelemetry = Telemetry(
  mode: .infusing(.basal), commandedRate: MicrolitersPerHour(5000),
  measuredRate: MicrolitersPerHour(4990), deliveredTotal: Micrograms(1_250_000),
  delivered1h: Micrograms(5000), limit1h: Micrograms(40_000), delivered4h: Micrograms(20_000),
  limit4h: Micrograms(120_000), lockoutRemaining: Milliseconds(123_456), bolusDemands: 12,
  bolusDeliveries: 7, reservoir: Microliters(87_500), batteryRemaining: .hours(6), onMains: true,
  upstreamPressure: MilliPSI(200), downstreamPressure: MilliPSI(1500),
  vitals: VitalsSample(sbp: 128, dbp: 82, hr: 76, spo2: 97, rr: 14),
  vitalsAge: Milliseconds(1200), alarms: [AlarmStatus(code: .batteryLow, acknowledged: true)])

/// A device and a clinician host, logged in back to back.
private func loggedInPair() throws -> (DeviceSession, HostSession) {
  var system = SystemRandomNumberGenerator()
  let secret = DeviceSecret.generate(using: &system)
  let info = DeviceInfo(
    deviceId: "KP-BENCH", firmwareVersion: "bench", hardwareProfile: "sim",
    capabilities: .simulator)
  var device = DeviceSession(
    config: DeviceSessionConfig(info: info), secret: secret, random: SystemRandomNumberGenerator())
  var host = HostSession(
    config: HostSessionConfig(key: try secret.roleKey(for: .clinician), deviceId: "KP-BENCH"))
  var queue = [try host.send(.hello(.current), now: .zero).bytes]
  var sentLogin = false
  while !queue.isEmpty {
    let bytes = queue.removeFirst()
    for case .send(let reply) in device.receive(bytes: bytes, now: .zero) {
      for case .send(let more) in host.receive(bytes: reply, now: .zero) { queue.append(more) }
    }
    if queue.isEmpty, !sentLogin {
      sentLogin = true
      queue.append(
        try host.login(hostNonce: Handshake.randomBytes(16, using: &system), now: .zero).bytes)
    }
  }
  guard host.state == .loggedIn else { throw BenchError.loginFailed }
  return (device, host)
}

private enum BenchError: Error { case loginFailed }

private func nsPerOp(_ n: Int, _ body: () -> Void) -> Double {
  let t0 = cpuNanoseconds()
  body()
  return Double(cpuNanoseconds() - t0) / Double(n)
}

private func fmt(_ v: Double, _ unit: String) -> String {
  let r = (v * 10).rounded() / 10
  return "\(r) \(unit)"
}

/// Runs the protocol figures (registered in `suites` as "protocol").
func runProtocolBench(_ arguments: [String]) throws -> [BenchRow] {
  var rows: [BenchRow] = []
  var sink = 0

  // 1. Telemetry frame without MAC: encode + decode + parse.
  let n1 = 200_000
  let plain = nsPerOp(n1) {
    var decoder = FrameDecoder()
    for i in 0..<n1 {
      let body = DeviceMessage.telemetry(deviceSeq: UInt32(i), sampleTelemetry).body()
      let frame = try! FrameEncoder.frame(body: body.bytes)
      for f in decoder.decodeAll(frame) {
        if case .framed(let b) = f, let p = try? ParsedFrame(b),
          case .telemetry(_, let t)? = try? DeviceMessage(parsing: p)
        {
          sink &+= Int(t.bolusDemands)
        }
      }
    }
  }
  rows.append(
    BenchRow(
      name: "TLM frame encode+decode+parse, no MAC", value: fmt(plain, "ns/frame"),
      goal: "< 20000 ns", met: plain < 20_000))

  // 2. Telemetry frame in a session: device encodes with MAC, host verifies and parses.
  var (device, host) = try loggedInPair()
  let n2 = 100_000
  let maced = nsPerOp(n2) {
    for _ in 0..<n2 {
      let frame = device.telemetryFrame(sampleTelemetry)
      sink &+= host.receive(bytes: frame, now: .zero).count
    }
  }
  rows.append(
    BenchRow(
      name: "TLM frame encode+MAC+decode+verify (session)", value: fmt(maced, "ns/frame"),
      goal: "< 50000 ns", met: maced < 50_000))

  // 3. MAC'd command round trip: host encodes START with MAC, device decodes/verifies/parses,
  //    firmware completes, device encodes the MAC'd ACK, host decodes/verifies it.
  let n3 = 50_000
  var now = Milliseconds(0)
  let command = nsPerOp(n3) {
    for _ in 0..<n3 {
      now = now + Milliseconds(1)
      let (_, bytes) = try! host.send(.pause, now: now)
      for action in device.receive(bytes: bytes, now: now) {
        if case .execute(let p) = action {
          for case .send(let reply) in device.complete(p, with: .accepted, now: now) {
            sink &+= host.receive(bytes: reply, now: now).count
          }
        }
      }
    }
  }
  rows.append(
    BenchRow(
      name: "MAC'd command round trip (2 frames encoded+decoded)",
      value: fmt(command, "ns/command"), goal: "< 100000 ns", met: command < 100_000))

  // 4. A 100 Hz telemetry stream in a session for 60 s of device time: device tick, encode with
  //    MAC, host decode and verify. CPU per second of stream, and the frame rate that CPU
  //    would allow.
  let seconds: Int64 = 60
  var frames = 0
  var bytesOnWire = 0
  var t = now
  for case .send(let r) in device.receive(
    bytes: try! host.send(.setTelemetry(hertz: 100), now: t).bytes, now: t)
  {
    _ = host.receive(bytes: r, now: t)
  }
  let t0 = cpuNanoseconds()
  for _ in 0..<(seconds * 1000) {
    t = t + Milliseconds(1)
    for action in device.tick(now: t) where action == .sendTelemetry {
      let frame = device.telemetryFrame(sampleTelemetry)
      frames += 1
      bytesOnWire += frame.count
      sink &+= host.receive(bytes: frame, now: t).count
    }
    if t.rawValue % 500 == 0 {  // heartbeat so the session stays open
      for case .send(let b) in host.tick(now: t) {
        for case .send(let r) in device.receive(bytes: b, now: t) {
          _ = host.receive(bytes: r, now: t)
        }
      }
    }
  }
  let cpu = Double(cpuNanoseconds() - t0)
  let cpuPerSecond = cpu / Double(seconds) / 1e6
  rows.append(
    BenchRow(
      name: "100 Hz TLM stream: frames per s of stream", value: "\(frames / Int(seconds)) frames/s",
      goal: "100", met: frames / Int(seconds) == 100))
  rows.append(
    BenchRow(
      name: "100 Hz TLM stream: CPU per s of stream (device+host)",
      value: fmt(cpuPerSecond, "ms/s"), goal: "< 10 ms/s (1% of a core)", met: cpuPerSecond < 10))
  rows.append(
    BenchRow(
      name: "TLM stream: frames/s one core could sustain",
      value: "\(Int(Double(frames) / (cpu / 1e9))) frames/s", goal: "> 10000",
      met: Double(frames) / (cpu / 1e9) > 10_000))
  rows.append(
    BenchRow(
      name: "100 Hz TLM stream: bytes per s on the wire",
      value: "\(bytesOnWire / Int(seconds)) B/s", goal: "info (115200 baud = 11520 B/s)", met: nil))
  if sink == 42 { print("") }
  return rows
}
