/// Protocol version `major.minor`, negotiated in HELLO: same major required; the session uses
/// the lower minor.
public struct ProtocolVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var major: UInt8
  public var minor: UInt8

  public init(major: UInt8, minor: UInt8) {
    self.major = major
    self.minor = minor
  }

  /// The version this module implements: 1.0.
  public static let current = ProtocolVersion(major: 1, minor: 0)

  public static func < (a: ProtocolVersion, b: ProtocolVersion) -> Bool {
    (a.major, a.minor) < (b.major, b.minor)
  }

  /// "1.0".
  public var description: String { "\(major).\(minor)" }

  /// Parses "M.m" (each 0…255).
  public init?(_ text: some StringProtocol) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, let a = UInt8(parts[0]), let b = UInt8(parts[1]),
      parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
    else { return nil }
    self.init(major: a, minor: b)
  }

  /// The version both sides use, or nil when the majors differ.
  public func negotiated(with other: ProtocolVersion) -> ProtocolVersion? {
    guard major == other.major else { return nil }
    return ProtocolVersion(major: major, minor: min(minor, other.minor))
  }
}
