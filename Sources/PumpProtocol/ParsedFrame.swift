/// A frame body split into kind, sequence number, fields and optional MAC
/// (docs/PROTOCOL.md §2: `body = kind "," seq *("," field) ["#" mac]`).
public struct ParsedFrame: Hashable, Sendable, CustomStringConvertible {
  /// 1–10 characters A–Z, 0–9.
  public var kind: String
  /// Host sequence (requests, ACK, NAK) or device sequence (TLM, EVT): 0…4294967295.
  public var seq: UInt32
  /// The remaining fields, in order (possibly empty strings).
  public var fields: [Substring]
  /// The 8-byte MAC after `#`, if present.
  public var mac: [UInt8]?
  /// The bytes the MAC covers: the body up to (not including) `#`.
  public var signed: ArraySlice<UInt8>

  /// Splits a body. Throws `.malformed` for a bad kind, seq, MAC or field character.
  public init(_ body: FrameBody) throws(ProtocolError) {
    let bytes = body.bytes
    var end = bytes.endIndex
    if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) {
      let macText = bytes[(hash + 1)...]
      guard macText.count == 16, let m = Hex.decode(macText) else {
        throw .malformed(field: "mac")
      }
      mac = m
      end = hash
    } else {
      mac = nil
    }
    signed = bytes[..<end]
    let text = String(decoding: signed, as: UTF8.self)
    var parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count >= 2 else { throw .malformed(field: "seq") }
    let k = parts[0]
    guard (1...10).contains(k.utf8.count),
      k.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) })
    else { throw .malformed(field: "kind") }
    let s = parts[1]
    guard (1...10).contains(s.utf8.count), s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let v = UInt32(s)
    else { throw .malformed(field: "seq") }
    kind = String(k)
    seq = v
    parts.removeFirst(2)
    for p in parts where !p.utf8.allSatisfy(WireText.isFieldByte) {
      throw .malformed(field: "text")
    }
    fields = parts
  }

  /// The kind and seq of a body that does not parse as a whole (a bad MAC or field), when
  /// those two can be read: such a frame still gets its one reply (`NAK 01`, §2.3).
  public static func header(of body: FrameBody) -> (kind: String, seq: UInt32)? {
    let bytes = body.bytes
    let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
    let parts = bytes[..<end].split(
      separator: UInt8(ascii: ","), maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count >= 2 else { return nil }
    let k = parts[0]
    let s = parts[1]
    guard (1...10).contains(k.count),
      k.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }),
      (1...10).contains(s.count), s.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let v = UInt32(String(decoding: s, as: UTF8.self))
    else { return nil }
    return (String(decoding: k, as: UTF8.self), v)
  }

  /// The MAC is redacted.
  public var description: String {
    "\(kind),\(seq),\(fields.joined(separator: ","))\(mac == nil ? "" : "#<mac>")"
  }
}
