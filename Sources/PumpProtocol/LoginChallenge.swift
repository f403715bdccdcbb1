/// The device's answer to LOGIN: `ACK,seq,LOGIN,<device nonce 32 hex>,<session id 16 hex>,
/// <device proof 32 hex>`.
public struct LoginChallenge: Hashable, Sendable, CustomStringConvertible {
  /// Fresh 16-byte device nonce.
  public var deviceNonce: [UInt8]
  /// 8-byte session id the session will have if the login completes.
  public var sessionId: [UInt8]
  /// 16-byte proof that the device holds the role key (see `Handshake`).
  public var deviceProof: [UInt8]

  public init(deviceNonce: [UInt8], sessionId: [UInt8], deviceProof: [UInt8]) {
    self.deviceNonce = deviceNonce
    self.sessionId = sessionId
    self.deviceProof = deviceProof
  }

  public var description: String { "LoginChallenge(sid \(Hex.encode(sessionId)), <proof>)" }
}
