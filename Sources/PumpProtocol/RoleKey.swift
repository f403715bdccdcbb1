import Crypto

/// One role's 256-bit key, derived from the device secret (a handset holds only the patient
/// key). Never printed: the description is redacted.
public struct RoleKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
  public let role: Role
  let bytes: [UInt8]

  /// Wraps a key read from a key file. Refuses wrong lengths, weak keys, observer and the role
  /// keys derived from the published test-vector secret.
  public init(role: Role, bytes: [UInt8]) throws(KeyError) {
    guard role != .observer else { throw .noKeyForObserver }
    try DeviceSecret.check(bytes)
    let test = DeviceSecret(testVectorOnly: DeviceSecret.testVectorBytes)
    for r in Role.authenticated {
      if let k = try? test.roleKey(for: r), ConstantTime.equal(k.bytes, bytes) {
        throw .testVectorKey
      }
    }
    self.role = role
    self.bytes = bytes
  }

  init(role: Role, unchecked bytes: [UInt8]) {
    self.role = role
    self.bytes = bytes
  }

  var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

  /// The key as 64 uppercase hex digits, for writing a key file (explicit, never implicit).
  public var hexForKeyFile: String { Hex.encode(bytes) }

  public var description: String { "RoleKey(\(role.rawValue), <redacted>)" }
  public var debugDescription: String { description }
}
