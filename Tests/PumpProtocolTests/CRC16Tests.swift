import Testing

@testable import PumpProtocol

@Suite("CRC-16/CCITT-FALSE")
struct CRC16Tests {
  @Test("REQ-PROTO-CRC: check value of \"123456789\" is 0x29B1")
  func checkValue() {
    #expect(CRC16.ccittFalse(Array("123456789".utf8)) == 0x29B1)
  }

  @Test("empty input gives the init value")
  func empty() { #expect(CRC16.ccittFalse([UInt8]()) == 0xFFFF) }

  @Test("frame CRC covers the body between $ and *")
  func frameCRC() throws {
    let f = try FrameEncoder.frame(body: Array("PING,1".utf8))
    let crc = CRC16.ccittFalse(Array("PING,1".utf8))
    let hex = Hex.encode([UInt8(crc >> 8), UInt8(crc & 0xFF)])
    #expect(String(decoding: f, as: UTF8.self) == "$PING,1*\(hex)\r\n")
  }
}
