import Crypto

/// The key of one authenticated session, agreed in the login (see `Handshake`), and the MAC it
/// computes over frames. Never printed.
///
/// The HMAC key schedule runs once, when the session key is made: for each direction the keyed
/// state with `dir ‖ hex(session id) ‖ ","` already absorbed is kept, and every frame MAC copies
/// that state and hashes only the frame body (docs/PROTOCOL.md §7.3).
public struct SessionKey: Sendable, CustomStringConvertible {
  let keyBytes: [UInt8]
  /// The 8-byte session id bound into every MAC.
  public let sessionId: [UInt8]
  /// Keyed HMAC states with the host (`H…,`) and device (`D…,`) prefixes absorbed.
  private let hostState: PreparedMAC
  private let deviceState: PreparedMAC

  init(bytes: [UInt8], sessionId: [UInt8]) {
    keyBytes = bytes
    self.sessionId = sessionId
    let keyed = HMAC<SHA256>(key: SymmetricKey(data: bytes))
    func prepared(_ d: Direction) -> HMAC<SHA256> {
      var h = keyed
      var prefix: [UInt8] = [d.rawValue]
      Hex.appendEncoded(sessionId, to: &prefix)
      prefix.append(UInt8(ascii: ","))
      h.update(data: prefix)
      return h
    }
    hostState = PreparedMAC(state: prepared(.host))
    deviceState = PreparedMAC(state: prepared(.device))
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

  /// The 8-byte MAC of `body` as one big-endian integer (no array): HMAC-SHA256(session key,
  /// dir ‖ hex(session id) ‖ "," ‖ body) truncated to 8 bytes. `body` is the frame from kind up
  /// to (not including) `#`.
  public func mac64(_ direction: Direction, body: ArraySlice<UInt8>) -> UInt64 {
    var h = direction == .host ? hostState.state : deviceState.state
    body.withUnsafeBytes { h.update(data: $0) }
    return h.finalize().withUnsafeBytes { raw in
      var v: UInt64 = 0
      for i in 0..<Self.macLength { v = v << 8 | UInt64(raw[i]) }
      return v
    }
  }

  /// HMAC-SHA256(session key, dir ‖ hex(session id) ‖ "," ‖ body) truncated to 8 bytes, where
  /// body is the frame from kind up to (not including) `#`.
  public func mac(_ direction: Direction, body: some Collection<UInt8>) -> [UInt8] {
    let v = mac64(direction, body: ArraySlice(body))
    return (0..<Self.macLength).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) }
  }

  /// True when `mac` is the MAC of `body` (constant-time comparison).
  public func verify(_ mac: [UInt8], _ direction: Direction, body: some Collection<UInt8>) -> Bool {
    guard mac.count == Self.macLength else { return false }
    return verify64(mac.reduce(0) { $0 << 8 | UInt64($1) }, direction, body: ArraySlice(body))
  }

  /// `verify` for the body as the frame holds it (no copy).
  public func verify(_ mac: [UInt8], _ direction: Direction, body: ArraySlice<UInt8>) -> Bool {
    guard mac.count == Self.macLength else { return false }
    return verify64(mac.reduce(0) { $0 << 8 | UInt64($1) }, direction, body: body)
  }

  /// True when `mac` (big-endian, as `mac64`) is the MAC of `body`; the comparison takes the
  /// same time wherever the values differ.
  public func verify64(_ mac: UInt64, _ direction: Direction, body: ArraySlice<UInt8>) -> Bool {
    (mac64(direction, body: body) ^ mac) == 0
  }

  public var description: String { "SessionKey(sid \(Hex.encode(sessionId)), <redacted>)" }
}

/// A keyed HMAC state that is only ever copied, never mutated in place: swift-crypto's digest
/// context is a class shared copy-on-write (`isKnownUniquelyReferenced` before every update), so
/// copies made on several threads at once each get their own context.
private struct PreparedMAC: @unchecked Sendable {
  let state: HMAC<SHA256>
}
