/// One unit delivered by `FrameDecoder`.
public enum Frame: Hashable, Sendable, CustomStringConvertible {
  /// A checksummed frame whose CRC matched. The body is the bytes between `$` and `*`
  /// (kind, seq, fields and the optional `#MAC`).
  case framed(FrameBody)
  /// A console line (no `$`, no checksum) typed in a terminal, trimmed of spaces.
  case console(String)
  /// A line that was dropped in a way a person typing causes — too long, or a `$` frame with
  /// no `*CRC` trailer at all — so the device can say why nothing happened (docs/PROTOCOL.md
  /// §2.3, §3). Line noise (a bad CRC, a non-printable byte) is dropped silently instead.
  case refused(LineRefusal)

  public var description: String {
    switch self {
    case .framed(let body): "framed(\(body))"
    case .console(let line): "console(\(line))"
    case .refused(let why): "refused(\(why))"
    }
  }
}

/// Why a typed line was not accepted (`Frame.refused`).
public enum LineRefusal: Hashable, Sendable {
  /// Longer than the 253 bytes a frame or console line may have before its terminator.
  case overlong
  /// `$` followed by printable text with no `*` and CRC: a frame typed by hand.
  case missingChecksum
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
