/// Builds frames: `$` body [`#` MAC] `*` CRC CR LF (docs/PROTOCOL.md §2). Crypto-free: the MAC
/// bytes are computed by the session (over `FieldWriter.bytes`) and passed in.
public enum FrameEncoder {
  /// The complete frame for `body` (kind, seq, fields) and an optional MAC (8 bytes, written as
  /// 16 uppercase hex digits after `#`). Throws `.frameTooLong` beyond 255 bytes.
  public static func frame(body: [UInt8], mac: [UInt8]? = nil) throws(ProtocolError) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(body.count + 26)
    out.append(UInt8(ascii: "$"))
    out.append(contentsOf: body)
    if let mac {
      out.append(UInt8(ascii: "#"))
      Hex.appendEncoded(mac, to: &out)
    }
    let crc = CRC16.ccittFalse(out[1...])
    out.append(UInt8(ascii: "*"))
    Hex.appendEncoded([UInt8(crc >> 8), UInt8(crc & 0xFF)], to: &out)
    out.append(0x0D)
    out.append(0x0A)
    guard out.count <= FrameDecoder.maxFrameLength else { throw .frameTooLong }
    return out
  }
}
