import Crypto

/// The challenge-response login (docs/PROTOCOL.md §7). Both sides compute the same context
///   ctx = deviceId "|" role "|" hex(hostNonce) "|" hex(deviceNonce) "|" hex(sessionId)
/// and from the role key K:
///   device proof = HMAC-SHA256(K, "KetaPump login v1|device|" ctx)[0..<16]
///   host proof   = HMAC-SHA256(K, "KetaPump login v1|host|" ctx)[0..<16]
///   session key  = HMAC-SHA256(K, "KetaPump session key v1|" ctx)
/// A fresh device nonce per LOGIN makes a captured handshake useless in a new session.
public enum Handshake {
  /// Nonce length (both sides), bytes.
  public static let nonceLength = 16
  /// Session id length, bytes.
  public static let sessionIdLength = 8
  /// Proof length, bytes.
  public static let proofLength = 16

  /// The context string bound into proofs and the session key.
  public static func context(
    deviceId: String, role: Role, hostNonce: [UInt8], deviceNonce: [UInt8], sessionId: [UInt8]
  ) -> String {
    "\(deviceId)|\(role.rawValue)|\(Hex.encode(hostNonce))|\(Hex.encode(deviceNonce))|"
      + Hex.encode(sessionId)
  }

  /// The device's proof of holding the role key.
  public static func deviceProof(key: RoleKey, context: String) -> [UInt8] {
    prf(key, "KetaPump login v1|device|" + context, proofLength)
  }

  /// The host's proof of holding the role key.
  public static func hostProof(key: RoleKey, context: String) -> [UInt8] {
    prf(key, "KetaPump login v1|host|" + context, proofLength)
  }

  /// The session key both sides derive after a successful login.
  public static func sessionKey(key: RoleKey, context: String, sessionId: [UInt8]) -> SessionKey {
    SessionKey(
      bytes: prf(key, "KetaPump session key v1|" + context, 32), sessionId: sessionId)
  }

  static func prf(_ key: RoleKey, _ label: String, _ count: Int) -> [UInt8] {
    Array(
      HMAC<SHA256>.authenticationCode(for: Array(label.utf8), using: key.symmetricKey).prefix(
        count))
  }

  /// `count` random bytes from `generator`.
  public static func randomBytes(_ count: Int, using generator: inout some RandomNumberGenerator)
    -> [UInt8]
  {
    var out: [UInt8] = []
    out.reserveCapacity(count + 8)
    while out.count < count {
      withUnsafeBytes(of: generator.next()) { out.append(contentsOf: $0) }
    }
    return Array(out.prefix(count))
  }
}
