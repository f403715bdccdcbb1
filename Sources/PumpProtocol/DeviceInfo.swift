/// What a device says about itself in the HELLO and VERSION replies.
public struct DeviceInfo: Hashable, Sendable {
  /// Device id, 1–32 characters A–Z a–z 0–9 `-` `_` `.`; part of every login proof.
  public var deviceId: String
  /// Firmware version text (1–24 field characters), e.g. "0.1.0".
  public var firmwareVersion: String
  /// Protocol version: the device's own (VERSION) or the negotiated one (HELLO reply).
  public var protocolVersion: ProtocolVersion
  /// Hardware profile id (1–32 field characters).
  public var hardwareProfile: String
  public var capabilities: Capabilities

  public init(
    deviceId: String, firmwareVersion: String, protocolVersion: ProtocolVersion = .current,
    hardwareProfile: String, capabilities: Capabilities
  ) {
    self.deviceId = deviceId
    self.firmwareVersion = firmwareVersion
    self.protocolVersion = protocolVersion
    self.hardwareProfile = hardwareProfile
    self.capabilities = capabilities
  }

  /// True for a valid device id: 1–32 of A–Z a–z 0–9 `-` `_` `.`.
  public static func isValidDeviceId(_ id: some StringProtocol) -> Bool {
    (1...32).contains(id.utf8.count)
      && id.utf8.allSatisfy {
        ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
          || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
      }
  }
}
