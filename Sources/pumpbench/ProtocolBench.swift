// The `protocol` suite: PumpProtocol codec and session costs (docs/PROTOCOL.md).
import CBenchMalloc
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

  // 1. Telemetry frame without MAC: encode into a reused buffer, decode in place, parse into
  //    a kept value (the byte-level codec: FieldWriter.reset, FrameEncoder.encode(into:),
  //    FrameDecoder.step, FrameView, Telemetry.read).
  var tlm = TLMCodecBench()
  func encodeTLM(_ seq: UInt32, mac key: SessionKey? = nil) { tlm.encode(seq, mac: key) }
  func decodeTLM(verify key: SessionKey? = nil) { sink &+= tlm.decode(verify: key) }
  let n1 = 400_000
  for i in 0..<1000 {  // warm-up: buffers reach their capacity
    encodeTLM(UInt32(i))
    decodeTLM()
  }
  let plain = nsPerOp(n1) {
    for i in 0..<n1 {
      encodeTLM(UInt32(i))
      decodeTLM()
    }
  }
  rows.append(
    BenchRow(
      name: "TLM frame encode+decode+parse, no MAC (\(tlm.frame.count) B, reused buffers)",
      value: fmt(plain, "ns/frame"), goal: "≤ 2000 ns", met: plain <= 2_000))
  // Allocations per frame (malloc calls, benchmark-only interposer CBenchMalloc).
  let nA = 10_000
  bench_malloc_start()
  for i in 0..<nA { encodeTLM(UInt32(i)) }
  let encodeAllocs = Double(bench_malloc_stop()) / Double(nA)
  bench_malloc_start()
  for _ in 0..<nA { decodeTLM() }
  let decodeAllocs = Double(bench_malloc_stop()) / Double(nA)
  rows.append(
    BenchRow(
      name:
        "allocations per TLM frame: encode into a reused buffer / decode+parse into a kept value",
      value: "\(encodeAllocs) / \(decodeAllocs) malloc calls", goal: "0 / 0",
      met: encodeAllocs == 0 && decodeAllocs == 0))

  // 1b. The same with a session MAC: prepared HMAC states, one HMAC-SHA256 per frame on each
  //     side (device MACs, host verifies).
  var system = SystemRandomNumberGenerator()
  let benchSecret = DeviceSecret.generate(using: &system)
  let sessionKey = Handshake.sessionKey(
    key: try benchSecret.roleKey(for: .clinician), context: "bench",
    sessionId: Handshake.randomBytes(8, using: &system))
  let n1b = 200_000
  let withMAC = nsPerOp(n1b) {
    for i in 0..<n1b {
      encodeTLM(UInt32(i), mac: sessionKey)
      decodeTLM(verify: sessionKey)
    }
  }
  rows.append(
    BenchRow(
      name: "TLM frame encode+MAC+decode+verify+parse (\(tlm.frame.count) B)",
      value: fmt(withMAC, "ns/frame"), goal: "≤ 5000 ns", met: withMAC <= 5_000))
  bench_malloc_start()
  for i in 0..<nA {
    encodeTLM(UInt32(i), mac: sessionKey)
    decodeTLM(verify: sessionKey)
  }
  let macAllocs = Double(bench_malloc_stop()) / Double(nA)
  rows.append(
    BenchRow(
      name: "allocations per MAC'd TLM frame (encode+decode, both MACs)",
      value: "\(macAllocs) malloc calls",
      goal: "info: swift-crypto copies its digest context on write (2 per HMAC)", met: nil))

  // 2. Telemetry frame in a session: device encodes with MAC, host verifies and parses.
  var (device, host) = try loggedInPair()
  var frame: [UInt8] = []
  frame.reserveCapacity(FrameDecoder.maxFrameLength)
  let n2 = 100_000
  let maced = nsPerOp(n2) {
    for _ in 0..<n2 {
      device.telemetryFrame(sampleTelemetry, into: &frame)
      sink &+= host.receive(bytes: frame, now: .zero).count
    }
  }
  rows.append(
    BenchRow(
      name: "TLM frame through the sessions (DeviceSession MAC, HostSession verify+parse+actions)",
      value: fmt(maced, "ns/frame"), goal: "≤ 5000 ns", met: maced <= 5_000))

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
      value: fmt(command, "ns/command"), goal: "≤ 10000 ns", met: command <= 10_000))

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

/// The byte-level TLM codec on its own, state in one struct (mutating methods, no captured
/// variables: each access to a closure-captured var would be a dynamic exclusivity check).
private struct TLMCodecBench {
  var writer = FieldWriter(kind: "TLM", seq: 0)
  var frame: [UInt8] = []
  var decoder = FrameDecoder()
  var parsed = sampleTelemetry

  init() { frame.reserveCapacity(FrameDecoder.maxFrameLength) }

  /// Encodes the sample into `frame` (MAC'd with `key` when given).
  mutating func encode(_ seq: UInt32, mac key: SessionKey?) {
    writer.reset(kind: "TLM", seq: seq)
    sampleTelemetry.encodeFields(into: &writer)
    let mac = key?.mac64(.device, body: writer.bytes[...])
    try! FrameEncoder.encode(body: writer.bytes[...], mac: mac, into: &frame)
  }

  /// Decodes `frame` byte by byte, verifies its MAC with `key` when given, parses into `parsed`.
  mutating func decode(verify key: SessionKey?) -> Int {
    var sink = 0
    var i = 0
    while let unit = decoder.next(frame[...], at: &i) {
      guard unit == .frame else { continue }
      let v = try! FrameView(decoder.frameBody)
      if let key, let mac = v.mac, !key.verify64(mac, .device, body: v.signed) {
        fatalError("MAC does not verify")
      }
      var r = v.fields
      try! parsed.read(&r)
      sink &+= Int(parsed.bolusDemands)
    }
    return sink
  }
}
