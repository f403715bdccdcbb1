import ArgumentParser
import PumpConfig
import PumpProtocol

/// `pumpsim keygen`: a fresh 256-bit device secret and the role keys hosts need.
struct Keygen: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate a device secret (mode 0600) and one key file per host role.",
    discussion: """
      Writes OUT (role device: stays with the pump) and, beside it, OUT-BASE.clinician.key, \
      .patient.key, .vitals.key and .service.key for the host tools. Never overwrites a key \
      unless --force. There is no default or built-in key anywhere in KetaPump.

      Example:
        pumpsim keygen --device-id KP-0001 --out keys/pump0.key
      """)

  @Option(help: "Device id (1-32 of A-Z a-z 0-9 - _ .).")
  var deviceId: String

  @Option(help: "Device secret file to write.")
  var out: String

  @Flag(help: "Overwrite existing key files.")
  var force = false

  @Flag(name: .customLong("no-role-keys"), help: "Write only the device secret.")
  var noRoleKeys = false

  func validate() throws {
    guard DeviceInfo.isValidDeviceId(deviceId) else {
      throw ValidationError("--device-id must be 1-32 of A-Z a-z 0-9 - _ . (got '\(deviceId)')")
    }
  }

  func run() throws {
    var system = SystemRandomNumberGenerator()
    let secret = DeviceSecret.generate(using: &system)
    var written = [out]
    do {
      try KeyStore.write(
        KeyFile(deviceId: deviceId, content: .deviceSecret(secret)), path: out, overwrite: force)
      if !noRoleKeys {
        let base = out.hasSuffix(".key") ? String(out.dropLast(4)) : out
        for role in [Role.clinician, .patient, .vitals, .service] {
          let path = "\(base).\(role.rawValue).key"
          try KeyStore.write(
            KeyFile(deviceId: deviceId, content: .roleKey(try secret.roleKey(for: role))),
            path: path, overwrite: force)
          written.append(path)
        }
      }
    } catch let e as KeyStore.Failure {
      throw Failure("\(e)")
    }
    for p in written { print("pumpsim: wrote \(p)") }
  }
}
