import Crypto

/// A device's 256-bit secret, from which every role key is derived. Never printed: the
/// description is redacted. There is no default or built-in secret; `init(bytes:)` refuses the
/// published test-vector key, weak keys and wrong lengths.
public struct DeviceSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
  let bytes: [UInt8]

  /// Wraps 32 random bytes. Throws `.testVectorKey` for the key published in
  /// docs/PROTOCOL.md §8 (SHA-256 of "KetaPump protocol test vector key v1").
  public init(bytes: [UInt8]) throws(KeyError) {
    try Self.check(bytes)
    if ConstantTime.equal(bytes, Self.testVectorBytes) { throw .testVectorKey }
    self.bytes = bytes
  }

  /// Unchecked: only for the published test vectors (PumpProtocolTests' vector test).
  init(testVectorOnly bytes: [UInt8]) { self.bytes = bytes }

  /// A fresh secret from `generator` (the firmware or keygen passes a system generator).
  public static func generate(using generator: inout some RandomNumberGenerator) -> DeviceSecret {
    while true {
      var b: [UInt8] = []
      for _ in 0..<4 { withUnsafeBytes(of: generator.next()) { b.append(contentsOf: $0) } }
      if let s = try? DeviceSecret(bytes: b) { return s }
    }
  }

  /// The key of `role`: HMAC-SHA256(secret, "KetaPump role key v1:" + role name).
  /// Throws `.noKeyForObserver` for `.observer`.
  public func roleKey(for role: Role) throws(KeyError) -> RoleKey {
    guard role != .observer else { throw .noKeyForObserver }
    let mac = HMAC<SHA256>.authenticationCode(
      for: Array("KetaPump role key v1:\(role.rawValue)".utf8), using: SymmetricKey(data: bytes))
    return RoleKey(role: role, unchecked: Array(mac))
  }

  /// The secret as 64 uppercase hex digits, for writing a key file (explicit, never implicit).
  public var hexForKeyFile: String { Hex.encode(bytes) }

  public var description: String { "DeviceSecret(<redacted>)" }
  public var debugDescription: String { description }

  static func check(_ bytes: [UInt8]) throws(KeyError) {
    guard bytes.count == 32 else { throw .wrongLength }
    guard let first = bytes.first, !bytes.allSatisfy({ $0 == first }) else { throw .weak }
  }

  /// SHA-256 of the ASCII string "KetaPump protocol test vector key v1".
  static let testVectorBytes: [UInt8] = Array(
    SHA256.hash(data: Array("KetaPump protocol test vector key v1".utf8)))
}
