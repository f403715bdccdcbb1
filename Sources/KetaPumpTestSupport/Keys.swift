import PumpConfig
import PumpProtocol

/// A key set made by `pumpsim keygen` in a fresh directory: the device key and one key per
/// role beside it (tests never use a fixed key).
public struct Keys: Sendable {
  public let dir: String
  /// The device key (`pump.key`).
  public let device: String
  public let deviceId: String

  public init(deviceId: String = "KP-TEST-1") throws {
    self.deviceId = deviceId
    dir = temporaryDirectory("keys")
    device = "\(dir)/pump.key"
    let r = try runProduct("pumpsim", ["keygen", "--device-id", deviceId, "--out", device])
    guard r.status == 0 else { throw TestFailure("keygen: \(r.err)") }
  }

  /// The key file of `role` (`pump.<role>.key`).
  public func path(_ role: Role) -> String { "\(dir)/pump.\(role.rawValue).key" }

  public func key(_ role: Role) throws -> RoleKey {
    try KeyStore.loadRoleKey(path: path(role), role: role).key
  }
}
