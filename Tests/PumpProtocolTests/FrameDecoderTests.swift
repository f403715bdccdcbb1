import PumpNoise
import Testing

@testable import PumpProtocol

@Suite("FrameDecoder")
struct FrameDecoderTests {
  static func frames() throws -> [[UInt8]] {
    [
      try FrameEncoder.frame(body: Array("PING,1".utf8)),
      try FrameEncoder.frame(body: Array("STATUS,2".utf8)),
      try FrameEncoder.frame(body: Array("START,3".utf8), mac: [1, 2, 3, 4, 5, 6, 7, 8]),
      Array("status\r\n".utf8),
      try FrameEncoder.frame(body: Array("VITALS,4,120,80,,,".utf8)),
    ]
  }

  static func expected() throws -> [Frame] {
    try frames().map { f in
      if f.first == UInt8(ascii: "$") {
        let star = f.lastIndex(of: UInt8(ascii: "*"))!
        return .framed(FrameBody(bytes: Array(f[1..<star])))
      }
      return .console("status")
    }
  }

  @Test("REQ-PROTO-DEC-1: byte by byte")
  func byteByByte() throws {
    var d = FrameDecoder()
    var out: [Frame] = []
    for b in try Self.frames().joined() {
      var slice: ArraySlice<UInt8> = [b]
      if let f = d.decode(buffer: &slice) { out.append(f) }
      #expect(slice.isEmpty)
    }
    #expect(out == (try Self.expected()))
    #expect(d.counters.framesAccepted == 4)
    #expect(d.counters.consoleLines == 1)
  }

  @Test("REQ-PROTO-DEC-2: whole buffer, nil means need more bytes")
  func whole() throws {
    var d = FrameDecoder()
    var buf = ArraySlice(Array(try Self.frames().joined()))
    var out: [Frame] = []
    while let f = d.decode(buffer: &buf) { out.append(f) }
    #expect(buf.isEmpty)
    #expect(out == (try Self.expected()))
  }

  @Test("REQ-PROTO-DEC-3: batched in every chunk size", arguments: [2, 3, 5, 7, 16, 64])
  func batched(chunk: Int) throws {
    var d = FrameDecoder()
    let all = Array(try Self.frames().joined())
    var out: [Frame] = []
    var i = 0
    while i < all.count {
      var buf = ArraySlice(all[i..<min(i + chunk, all.count)])
      while let f = d.decode(buffer: &buf) { out.append(f) }
      i += chunk
    }
    #expect(out == (try Self.expected()))
  }

  @Test("REQ-PROTO-DEC-4: garbage is counted and the decoder resyncs at $")
  func garbage() throws {
    var d = FrameDecoder()
    let good = try FrameEncoder.frame(body: Array("PING,9".utf8))
    let out = d.decodeAll([0x00, 0xFF, 0x01] + good)
    #expect(out.count == 1)
    #expect(d.counters.garbageBytes == 3)
  }

  @Test("REQ-PROTO-DEC-5: bad CRC dropped and counted, next frame decoded")
  func badCRC() throws {
    var d = FrameDecoder()
    var bad = try FrameEncoder.frame(body: Array("PING,1".utf8))
    bad[2] = UInt8(ascii: "O")  // PING -> POING body change keeps length
    let good = try FrameEncoder.frame(body: Array("PING,2".utf8))
    let out = d.decodeAll(bad + good)
    #expect(out.count == 1)
    #expect(d.counters.crcErrors == 1)
    #expect(d.counters.framesDropped == 1)
  }

  @Test("REQ-PROTO-DEC-6: truncated frame (new $ before end) dropped, next decoded")
  func truncated() throws {
    var d = FrameDecoder()
    let good = try FrameEncoder.frame(body: Array("PING,2".utf8))
    let out = d.decodeAll(Array("$PING,1*".utf8) + good)
    #expect(out.count == 1)
    #expect(d.counters.framesDropped == 1)
  }

  @Test("REQ-PROTO-DEC-7: overlong line dropped with fixed buffer, then resync")
  func overlong() throws {
    var d = FrameDecoder()
    let long =
      [UInt8(ascii: "$")] + Array(repeating: UInt8(ascii: "A"), count: 10_000) + [0x0D, 0x0A]
    let good = try FrameEncoder.frame(body: Array("PING,2".utf8))
    let out = d.decodeAll(
      long + good + Array(repeating: UInt8(ascii: "x"), count: 400) + [0x0A] + good)
    #expect(out.filter { if case .framed = $0 { true } else { false } }.count == 2)
    #expect(out.filter { $0 == .refused(.overlong) }.count == 2, "a person is told why")
    #expect(d.counters.overlong == 2)
  }

  @Test("a frame of exactly 255 bytes is accepted, 256 is not")
  func boundary() throws {
    let bodyLen = 255 - 8
    let body = Array("LOG,1,".utf8) + Array(repeating: UInt8(ascii: "a"), count: bodyLen - 6)
    let f = try FrameEncoder.frame(body: body)
    #expect(f.count == 255)
    var d = FrameDecoder()
    #expect(d.decodeAll(f).count == 1)
    #expect(throws: ProtocolError.frameTooLong) {
      try FrameEncoder.frame(body: body + [UInt8(ascii: "a")])
    }
  }

  @Test(
    "REQ-PROTO-DEC-8: a frame typed without *CRC is reported (refused), a damaged or lowercase CRC is dropped silently; never a console line"
  )
  func malformedTrailer() {
    var d = FrameDecoder()
    let out = d.decodeAll(Array("$PING,1\r\n$PING,1*abcd\r\n$STOP,900\n".utf8))
    #expect(out == [.refused(.missingChecksum), .refused(.missingChecksum)])
    #expect(d.counters.framesDropped == 3)
  }

  @Test("random noise never traps and the decoder recovers", arguments: [1, 2, 3] as [UInt64])
  func noise(seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    var d = FrameDecoder()
    for _ in 0..<200 {
      let n = Int(rng.next() % 300)
      _ = d.decodeAll((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }
    let good = try FrameEncoder.frame(body: Array("PING,77".utf8))
    let out = d.decodeAll([0x0A] + good)
    #expect(out.last == .framed(FrameBody(bytes: Array("PING,77".utf8))))
  }
}
