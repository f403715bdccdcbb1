import Foundation
import PumpCore
import Testing

@testable import PumpProtocol

/// The compact telemetry frame `TLC` (docs/PROTOCOL.md §4.5.1) and the byte-level reader.
@Suite("Compact telemetry and the byte-level codec")
struct CompactTelemetryTests {
  static let sample = Telemetry(
    mode: .infusing(.basal), commandedRate: MicrolitersPerHour(5000),
    measuredRate: MicrolitersPerHour(4990), deliveredTotal: Micrograms(12_500),
    delivered1h: Micrograms(5000), limit1h: Micrograms(40_000),
    delivered4h: Micrograms(12_500), limit4h: Micrograms(120_000),
    lockoutRemaining: Milliseconds(0), bolusDemands: 2, bolusDeliveries: 1,
    reservoir: Microliters(87_500), batteryRemaining: .hours(6), onMains: true,
    upstreamPressure: MilliPSI(200), downstreamPressure: MilliPSI(1500),
    vitals: VitalsSample(sbp: 128, dbp: 82, hr: 76, spo2: 97), vitalsAge: Milliseconds(1200),
    alarms: [AlarmStatus(code: .batteryLow, acknowledged: true)])

  /// The §10 vector session after AUTH, then TLMRATE 100 TLC, a keyframe and a compact frame.
  static func generate() throws -> (vectors: [(String, String)], host: [HostSessionAction]) {
    var v: [(String, String)] = []
    var device = DeviceSession(
      config: DeviceSessionConfig(info: VectorTests.info), secret: VectorTests.secret,
      random: CountingBytes())
    var host = HostSession(
      config: HostSessionConfig(
        key: try VectorTests.secret.roleKey(for: .clinician), deviceId: VectorTests.deviceId))
    let now = Milliseconds(0)
    func exchange(_ bytes: [UInt8]) -> [UInt8] {
      var reply: [UInt8] = []
      for case .send(let b) in device.receive(bytes: bytes, now: now) { reply = b }
      var next: [UInt8] = []
      for case .send(let b) in host.receive(bytes: reply, now: now) { next = b }
      return next
    }
    _ = exchange(try host.send(.hello(.current), now: now).bytes)
    _ = exchange(exchange(try host.login(hostNonce: VectorTests.hostNonce, now: now).bytes))
    #expect(host.state == .loggedIn)
    let rate = try host.send(.setCompactTelemetry(hertz: 100), now: now).bytes
    v.append(("frame-tlmrate-compact", VectorTests.text(rate)))
    var reply: [UInt8] = []
    for case .send(let b) in device.receive(bytes: rate, now: now) { reply = b }
    v.append(("frame-tlmrate-compact-reply", VectorTests.text(reply)))
    var actions = host.receive(bytes: reply, now: now)
    let key = device.telemetryFrame(sample)
    v.append(("frame-telemetry-keyframe", VectorTests.text(key)))
    var next = sample
    next.deliveredTotal = Micrograms(12_510)
    next.reservoir = Microliters(87_498)
    next.upstreamPressure = MilliPSI(210)
    next.downstreamPressure = MilliPSI(1480)
    let compact = device.telemetryFrame(next)
    v.append(("frame-telemetry-compact", VectorTests.text(compact)))
    actions += host.receive(bytes: key + compact, now: now)
    device.deviceSeq = .max - 1
    let longest = device.telemetryFrame(
      Telemetry(
        mode: .fault(.motor), commandedRate: MicrolitersPerHour(99_999_999),
        measuredRate: MicrolitersPerHour(99_999_999), deliveredTotal: Micrograms(.max),
        lockoutRemaining: Milliseconds(.max), reservoir: Microliters(.max),
        upstreamPressure: MilliPSI(.max), downstreamPressure: MilliPSI(.max)))
    v.append(("frame-telemetry-compact-longest", VectorTests.text(longest)))
    return (v, actions)
  }

  static func documentVectors() throws -> [(String, String)] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("docs/PROTOCOL.md")
    let doc = try String(contentsOf: url, encoding: .utf8)
    guard let b = doc.range(of: "<!-- BEGIN TLC VECTORS -->"),
      let e = doc.range(of: "<!-- END TLC VECTORS -->")
    else { return [] }
    return doc[b.upperBound..<e.lowerBound].split(separator: "\n").compactMap { line in
      guard let eq = line.range(of: " = ") else { return nil }
      return (String(line[..<eq.lowerBound]), String(line[eq.upperBound...]))
    }
  }

  @Test(
    "REQ-PROTO-TLC-01: TLMRATE's TLC format: §4.5.1's vectors match the code; the host lays a TLC over its keyframe; an unknown format is NAK 03; the format ends with the host"
  )
  func vectors() throws {
    let (generated, actions) = try Self.generate()
    let doc = try Self.documentVectors()
    #expect(doc.count == generated.count)
    for (g, d) in zip(generated, doc) {
      #expect(g.0 == d.0)
      #expect(g.1 == d.1, "\(g.0)")
    }
    let shown = actions.compactMap { a -> Telemetry? in
      if case .telemetry(let t, let auth) = a, auth { return t }
      return nil
    }
    #expect(shown.count == 2)
    #expect(shown.first == Self.sample)
    var expected = Self.sample
    expected.deliveredTotal = Micrograms(12_510)
    expected.reservoir = Microliters(87_498)
    expected.upstreamPressure = MilliPSI(210)
    expected.downstreamPressure = MilliPSI(1480)
    #expect(shown.last == expected)
    #expect(!actions.contains { if case .gap = $0 { true } else { false } })

    var l = Link(role: .vitals)
    try l.connectAndLogin()
    _ = try l.send(.setCompactTelemetry(hertz: 10))
    #expect(l.h.device.telemetryFormat == .compact)
    let bad = l.h.feed(macFrame("TLMRATE,1000,10,TLX", key: l.host.sessionKey))
    #expect(Harness.nakCode(bad[0]) == .outOfRange)
    _ = l.h.device.hangUp(now: .zero)
    #expect(l.h.device.telemetryFormat == .full)
  }

  @Test(
    "REQ-PROTO-TLC-02: 100 Hz TLC fits 115200 8N1 with at least 10 % headroom: one keyframe and 99 TLC a second, the longest TLC 102 bytes; TLMRATE grants 100 Hz TLC there and still refuses 100 Hz TLM"
  )
  func lineBudget() throws {
    let line = 115_200 / 10
    #expect(TelemetryFormat.compact.worstCaseBytesPerSecond(hertz: 100) == 10_340)
    #expect(TelemetryFormat.compact.worstCaseBytesPerSecond(hertz: 100) * 10 <= line * 9)
    #expect(TelemetryFormat.compact.maxHertz(lineBytesPerSecond: line) == 100)
    #expect(TelemetryFormat.full.maxHertz(lineBytesPerSecond: line) == 47)
    let worst = CompactTelemetry(
      mode: .fault(.motor), commandedRate: MicrolitersPerHour(.max),
      measuredRate: MicrolitersPerHour(.max), deliveredTotal: Micrograms(.max),
      lockoutRemaining: Milliseconds(.max), reservoir: Microliters(.max),
      upstreamPressure: MilliPSI(.max), downstreamPressure: MilliPSI(.max))
    let frame = try FrameEncoder.frame(
      body: worst.body(deviceSeq: .max).bytes, mac: Array(repeating: 0xFF, count: 8))
    #expect(frame.count == CompactTelemetry.maxFrameBytes)

    var l = Link(role: .vitals) { $0.lineBytesPerSecond = line }
    try l.connectAndLogin()
    let full = try l.send(.setTelemetry(hertz: 100))
    #expect(
      l.reply(full).map { r -> Int64 in if case .nak(let n) = r.result { n.detail } else { -1 } }
        == 47)
    let compact = try l.send(.setCompactTelemetry(hertz: 100))
    #expect(l.reply(compact)?.result == .ack(.done(.setTelemetry)))
    // One second of device frames with every field at its maximum: 1 TLM + 99 TLC.
    var t = Telemetry.worstCase
    t.mode = .fault(.motor)
    var bytes = 0
    var kinds: [String: Int] = [:]
    for _ in 0..<100 {
      let f = l.h.device.telemetryFrame(t)
      bytes += f.count
      kinds[String(decoding: f[1..<4], as: UTF8.self), default: 0] += 1
    }
    #expect(kinds == ["TLM": 1, "TLC": 99])
    #expect(bytes <= 10_340)
  }

  @Test(
    "REQ-PROTO-TLC-03: FrameView and FieldCursor accept and refuse exactly what ParsedFrame and FieldReader do, and Telemetry.read equals Telemetry(reading:), on vectors and 20,000 seeded mutations"
  )
  func byteReaderAgrees() throws {
    var seeds = try Self.generate().vectors.map { Array($0.1.utf8.dropFirst()) }
    seeds += try VectorTests.documentVectors().filter { $0.1.hasPrefix("$") }.map {
      Array($0.1.utf8.dropFirst())
    }
    var rng = SplitMix64(seed: 16)
    let alphabet = Array("0123456789,;:#*-ATLMC $".utf8)
    for i in 0..<20_000 {
      var b = seeds[i % seeds.count]
      if let star = b.lastIndex(of: UInt8(ascii: "*")) { b.removeSubrange(star...) }
      for _ in 0..<Int(rng.next() % 4) where !b.isEmpty {
        let at = Int(rng.next() % UInt64(b.count))
        switch rng.next() % 3 {
        case 0: b[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
        case 1: b.remove(at: at)
        default: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
        }
      }
      let old = Result { () throws(ProtocolError) in try ParsedFrame(FrameBody(bytes: b)) }
      let new = Result { () throws(ProtocolError) in try FrameView(b[...]) }
      switch (old, new) {
      case (.success(let p), .success(let v)):
        #expect(p.kind == String(decoding: v.kind, as: UTF8.self) && p.seq == v.seq)
        #expect(
          p.mac
            == v.mac.map { m in
              (0..<8).map { UInt8(truncatingIfNeeded: m >> (56 - 8 * UInt64($0))) }
            })
        if p.kind == "TLM" {
          var r = FieldReader(p.fields)
          let a = Result { () throws(ProtocolError) in try Telemetry(reading: &r) }
          var c = v.fields
          var t = Telemetry(mode: .idle)
          let n = Result { () throws(ProtocolError) in
            try t.read(&c)
            return t
          }
          #expect(a == n, "\(String(decoding: b, as: UTF8.self))")
          if case .success = a { #expect(r.atEnd == c.atEnd) }
        }
      case (.failure(let e1), .failure(let e2)):
        #expect(e1 == e2, "\(String(decoding: b, as: UTF8.self))")
      default:
        Issue.record("disagree on \(String(decoding: b, as: UTF8.self)): \(old) vs \(new)")
      }
    }
  }

  @Test(
    "REQ-PROTO-TLC-03: FrameDecoder.next (runs of frame text copied at once) yields the same units and counters as feeding byte by byte, in chunks of any size"
  )
  func bulkDecoderAgrees() throws {
    var rng = SplitMix64(seed: 1616)
    let pieces: [[UInt8]] = [
      Array("$TLC,2,3,0,5000,4990,12510,0,87498,210,1480#B317A0EFBF3E353B*A252\r\n".utf8),
      Array("$HELLO,1,1.0*D992\r\n".utf8), Array("status\r\n".utf8), Array("$STOP,900\r\n".utf8),
      Array(repeating: UInt8(ascii: "x"), count: 300), [0x00, 0x7F, 0xFF, 0x0D, 0x0A],
      Array("$ACK,1*0000\n".utf8), Array("$".utf8),
    ]
    for _ in 0..<5_000 {
      var stream: [UInt8] = []
      for _ in 0..<Int(rng.next() % 6) {
        stream += pieces[Int(rng.next() % UInt64(pieces.count))]
        if rng.next() % 4 == 0, !stream.isEmpty {
          stream[Int(rng.next() % UInt64(stream.count))] = UInt8(truncatingIfNeeded: rng.next())
        }
      }
      var byByte = FrameDecoder()
      let expected = stream.compactMap { byByte.feed($0) }
      var bulk = FrameDecoder()
      var got: [Frame] = []
      var start = 0
      while start < stream.count {
        let end = min(stream.count, start + 1 + Int(rng.next() % 80))
        let chunk = stream[start..<end]
        var i = chunk.startIndex
        while let u = bulk.next(chunk, at: &i) { got.append(bulk.frame(for: u)) }
        start = end
      }
      #expect(got == expected)
      #expect(bulk.counters == byByte.counters)
    }
  }
}
