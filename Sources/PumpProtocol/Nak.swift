/// A negative reply: `NAK,seq,<code 2 digits>,<detail>,<reason ≤ 100>`.
public struct Nak: Hashable, Sendable {
  public var code: NakCode
  /// Code-specific number (e.g. `Rejection` raw value, lockout remaining ms); 0 when unused.
  /// Range −999999999…999999999.
  public var detail: Int64
  /// Human-readable reason (field characters, ≤ 100 bytes).
  public var reason: String

  public init(_ code: NakCode, detail: Int64 = 0, reason: String? = nil) {
    self.code = code
    self.detail = detail
    self.reason = WireText.sanitize(reason ?? code.name, maxLength: 100)
  }
}
