import Crypto

/// The key of one authenticated session, agreed in the login (see `Handshake`), and the MAC it
/// computes over frames. Never printed.
public struct SessionKey: Sendable, CustomStringConvertible {
  let keyBytes: [UInt8]
  /// The 8-byte session id bound into every MAC.
  public let sessionId: [UInt8]

  init(bytes: [UInt8], sessionId: [UInt8]) {
    keyBytes = bytes
    self.sessionId = sessionId
  }

  /// Who sent a frame; part of the MAC input so a device frame cannot be reflected as a host one.
  public enum Direction: UInt8, Sendable {
    /// "H": host → device.
    case host = 0x48
    /// "D": device → host.
    case device = 0x44
  }

  /// Frame MAC length in bytes (64 bits, 16 hex digits after `#`).
  public static let macLength = 8

  /// HMAC-SHA256(session key, dir ‖ hex(session id) ‖ "," ‖ body) truncated to 8 bytes, where
  /// body is the frame from kind up to (not including) `#`.
  public func mac(_ direction: Direction, body: some Collection<UInt8>) -> [UInt8] {
    var h = HMAC<SHA256>(key: SymmetricKey(data: keyBytes))
    var prefix: [UInt8] = [direction.rawValue]
    Hex.appendEncoded(sessionId, to: &prefix)
    prefix.append(UInt8(ascii: ","))
    h.update(data: prefix)
    h.update(data: Array(body))
    return Array(h.finalize().prefix(Self.macLength))
  }

  /// True when `mac` is the MAC of `body` (constant-time comparison).
  public func verify(_ mac: [UInt8], _ direction: Direction, body: some Collection<UInt8>) -> Bool {
    ConstantTime.equal(self.mac(direction, body: body), mac)
  }

  public var description: String { "SessionKey(sid \(Hex.encode(sessionId)), <redacted>)" }
}
