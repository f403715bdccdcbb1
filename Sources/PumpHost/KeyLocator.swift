import PumpConfig
import PumpProtocol

/// Finds role keys for pumpmon's `--key FILE --role ROLE`: a role key file (`pump.clinician.key`)
/// or the device secret (`pump.key`, any role derived from it). Switching roles on one line
/// (`:role patient`) uses the secret, or the sibling file `keygen` wrote (`pump.patient.key`).
public struct KeyLocator: Sendable {
  /// The key file given.
  public var path: String

  public init(path: String) { self.path = path }

  /// The key for `role` (nil: the file's own role).
  public func load(role: Role?) throws(KeyStore.Failure) -> (deviceId: String, key: RoleKey) {
    do {
      return try KeyStore.loadRoleKey(path: path, role: role)
    } catch {
      guard case .wrongContent = error, let role, let sibling = siblingPath(for: role),
        sibling != path
      else { throw error }
      return try KeyStore.loadRoleKey(path: sibling, role: role)
    }
  }

  /// `pump.clinician.key` → `pump.patient.key`; `pump.key` → `pump.patient.key`.
  func siblingPath(for role: Role) -> String? {
    guard path.hasSuffix(".key") else { return nil }
    var stem = String(path.dropLast(4))
    for r in Role.authenticated where stem.hasSuffix(".\(r.rawValue)") {
      stem = String(stem.dropLast(r.rawValue.count + 1))
    }
    return "\(stem).\(role.rawValue).key"
  }
}
