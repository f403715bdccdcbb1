import PumpCore
import PumpNoise
import Testing

@testable import PumpProtocol

@Suite("Codec round trip")
struct CodecRoundTripTests {
  static func decodeOne(_ bytes: [UInt8]) throws -> ParsedFrame {
    var d = FrameDecoder()
    let frames = d.decodeAll(bytes)
    guard frames.count == 1, case .framed(let body) = frames[0] else {
      Issue.record(
        "expected one frame, got \(frames) from \(String(decoding: bytes, as: UTF8.self))")
      throw ProtocolError.malformed(field: "test")
    }
    return try ParsedFrame(body)
  }

  @Test(
    "REQ-PROTO-RT-1: every host request kind, 500 random cases each",
    arguments: RequestKind.allCases)
  func requests(kind: RequestKind) throws {
    var g = RandomMessages(
      rng: SeededGenerator(seed: UInt64(RequestKind.allCases.firstIndex(of: kind)!) &+ 11))
    for i in 0..<500 {
      let r = g.request(kind)
      let seq = UInt32(truncatingIfNeeded: g.rng.next())
      let mac: [UInt8]? = i % 2 == 0 ? g.bytes(8) : nil
      let bytes = try FrameEncoder.frame(body: r.body(seq: seq).bytes, mac: mac)
      #expect(bytes.count <= 255)
      let f = try Self.decodeOne(bytes)
      #expect(f.seq == seq)
      #expect(f.mac == mac)
      #expect(try HostRequest(parsing: f) == r)
    }
  }

  @Test("REQ-PROTO-RT-2: device replies, 3000 random cases")
  func replies() throws {
    var g = RandomMessages(rng: SeededGenerator(seed: 2))
    for _ in 0..<3000 {
      let r = g.reply()
      let bytes = try FrameEncoder.frame(body: r.body().bytes, mac: g.bytes(8))
      let f = try Self.decodeOne(bytes)
      #expect(try DeviceReply(parsing: f) == r)
    }
  }

  @Test("REQ-PROTO-RT-3: telemetry and events, 3000 random cases each")
  func telemetryAndEvents() throws {
    var g = RandomMessages(rng: SeededGenerator(seed: 3))
    for _ in 0..<3000 {
      let t = DeviceMessage.telemetry(
        deviceSeq: UInt32(truncatingIfNeeded: g.rng.next()), g.telemetry())
      let e = DeviceMessage.event(deviceSeq: UInt32(truncatingIfNeeded: g.rng.next()), g.event())
      for m in [t, e] {
        let bytes = try FrameEncoder.frame(body: m.body().bytes, mac: g.bytes(8))
        #expect(try DeviceMessage(parsing: Self.decodeOne(bytes)) == m)
      }
    }
  }

  @Test("REQ-PROTO-LEN: the largest telemetry STATUS reply with MAC fits in 255 bytes")
  func worstCaseLength() throws {
    let t = Telemetry.worstCase
    let reply = DeviceReply(seq: .max, .ack(.status(t)))
    let bytes = try FrameEncoder.frame(
      body: reply.body().bytes, mac: Array(repeating: 0xFF, count: 8))
    #expect(bytes.count == 249)  // docs/PROTOCOL.md §4.5
    var g = RandomMessages(rng: SeededGenerator(seed: 5))
    let p = try FrameEncoder.frame(
      body: HostRequest.program(g.prescription()).body(seq: .max).bytes,
      mac: Array(repeating: 0, count: 8))
    #expect(p.count <= 255)
  }

  @Test("REQ-PROTO-RANGE: out-of-range and malformed fields give typed errors")
  func typedErrors() throws {
    func parse(_ s: String) throws(ProtocolError) -> HostRequest {
      try HostRequest(parsing: ParsedFrame(FrameBody(bytes: Array(s.utf8))))
    }
    #expect(throws: ProtocolError.unknownKind("FLY")) { try parse("FLY,1") }
    #expect(throws: ProtocolError.outOfRange(field: "hz")) { try parse("TLMRATE,1,101") }
    #expect(throws: ProtocolError.malformed(field: "hz")) { try parse("TLMRATE,1,1x") }
    #expect(throws: ProtocolError.malformed(field: "extra fields")) { try parse("START,1,1") }
    #expect(throws: ProtocolError.malformed(field: "vitals")) { try parse("VITALS,1,,,,,") }
    #expect(throws: ProtocolError.outOfRange(field: "role")) {
      try parse("LOGIN,1,observer,00000000000000000000000000000000")
    }
    #expect(throws: ProtocolError.malformed(field: "seq")) { try parse("START,-1") }
    #expect(throws: ProtocolError.malformed(field: "kind")) { try parse("start,1") }
  }
}

extension Telemetry {
  /// Every field at its maximum and three alarms: the longest STATUS reply and TLM frame.
  static var worstCase: Telemetry {
    let a = AlarmStatus(
      code: .occlusionDownstream, priority: .high, acknowledged: true,
      audioPauseRemaining: Milliseconds(999_999))
    return Telemetry(
      mode: .fault(.motor), commandedRate: MicrolitersPerHour(9_999_999),
      measuredRate: MicrolitersPerHour(9_999_999), deliveredTotal: Micrograms(99_999_999_999),
      delivered1h: Micrograms(999_999_999), limit1h: Micrograms(999_999_999),
      delivered4h: Micrograms(999_999_999), limit4h: Micrograms(999_999_999),
      lockoutRemaining: Milliseconds(99_999_999), bolusDemands: 999_999, bolusDeliveries: 999_999,
      reservoir: Microliters(9_999_999), batteryRemaining: Milliseconds(999_999_999),
      onMains: true, upstreamPressure: MilliPSI(999_999), downstreamPressure: MilliPSI(999_999),
      vitals: VitalsSample(sbp: 999, dbp: 999, hr: 999, spo2: 999, rr: 999),
      vitalsAge: Milliseconds(99_999_999), alarmCount: 99, alarms: [a, a, a])
  }
}
