/// Why a frame or message could not be parsed or built. Each maps to a NAK code.
public enum ProtocolError: Error, Hashable, Sendable {
  /// Wrong field count or syntax (`field` names the offending field).
  case malformed(field: String)
  /// The frame's kind is not a request this endpoint knows.
  case unknownKind(String)
  /// A numeric or enumerated field outside its documented range.
  case outOfRange(field: String)
  /// The encoded frame would exceed 255 bytes.
  case frameTooLong

  /// The NAK code a device answers with.
  public var nakCode: NakCode {
    switch self {
    case .malformed, .frameTooLong: .malformed
    case .unknownKind: .unknownCommand
    case .outOfRange: .outOfRange
    }
  }

  /// Human-readable reason for NAK frames and logs.
  public var reason: String {
    switch self {
    case .malformed(let f): "malformed field \(f)"
    case .unknownKind(let k): "unknown command \(WireText.sanitize(k, maxLength: 16))"
    case .outOfRange(let f): "field \(f) out of range"
    case .frameTooLong: "frame too long"
    }
  }
}
