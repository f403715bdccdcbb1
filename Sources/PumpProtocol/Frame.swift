/// One unit delivered by `FrameDecoder`.
public enum Frame: Hashable, Sendable, CustomStringConvertible {
  /// A checksummed frame whose CRC matched. The body is the bytes between `$` and `*`
  /// (kind, seq, fields and the optional `#MAC`).
  case framed(FrameBody)
  /// A console line (no `$`, no checksum) typed in a terminal, trimmed of spaces.
  case console(String)

  public var description: String {
    switch self {
    case .framed(let body): "framed(\(body))"
    case .console(let line): "console(\(line))"
    }
  }
}

/// The body of a checksummed frame: ASCII bytes between `$` and `*`.
public struct FrameBody: Hashable, Sendable, CustomStringConvertible {
  /// The body bytes, MAC included.
  public var bytes: [UInt8]

  public init(bytes: [UInt8]) { self.bytes = bytes }

  /// The body with any MAC redacted (MACs never appear in logs).
  public var description: String {
    if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) {
      return String(decoding: bytes[..<hash], as: UTF8.self) + "#<mac>"
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
