/// Builds frames: `$` body [`#` MAC] `*` CRC CR LF (docs/PROTOCOL.md §2). Crypto-free: the MAC
/// bytes are computed by the session (over `FieldWriter.bytes`) and passed in.
public enum FrameEncoder {
  /// The complete frame for `body` (kind, seq, fields) and an optional MAC (8 bytes, written as
  /// 16 uppercase hex digits after `#`). Throws `.frameTooLong` beyond 255 bytes.
  public static func frame(body: [UInt8], mac: [UInt8]? = nil) throws(ProtocolError) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(body.count + 26)
    var m: UInt64? = nil
    if let mac {
      guard mac.count == 8 else {
        // Not a session MAC (never produced by this package): written as given.
        out.append(UInt8(ascii: "$"))
        out.append(contentsOf: body)
        out.append(UInt8(ascii: "#"))
        Hex.appendEncoded(mac, to: &out)
        try finish(&out)
        return out
      }
      m = mac.reduce(0) { $0 << 8 | UInt64($1) }
    }
    try encode(body: body[...], mac: m, into: &out)
    return out
  }

  /// Writes the frame for `body` and an optional 8-byte MAC (big-endian, as
  /// `SessionKey.mac64`) into `out`, replacing its contents. With `out` kept across frames
  /// (capacity ≥ 255) nothing is allocated. Throws `.frameTooLong` beyond 255 bytes (`out` then
  /// holds the over-long frame; do not send it).
  public static func encode(body: ArraySlice<UInt8>, mac: UInt64?, into out: inout [UInt8])
    throws(ProtocolError)
  {
    out.removeAll(keepingCapacity: true)
    out.append(UInt8(ascii: "$"))
    out.append(contentsOf: body)
    if let mac {
      out.append(UInt8(ascii: "#"))
      Hex.appendEncoded(mac, digits: 16, to: &out)
    }
    try finish(&out)
  }

  /// Appends `*`, the CRC of everything after `$`, and CR LF.
  static func finish(_ out: inout [UInt8]) throws(ProtocolError) {
    let crc = CRC16.ccittFalse(out[1...])
    out.append(UInt8(ascii: "*"))
    Hex.appendEncoded(UInt64(crc), digits: 4, to: &out)
    out.append(0x0D)
    out.append(0x0A)
    guard out.count <= FrameDecoder.maxFrameLength else { throw .frameTooLong }
  }
}
