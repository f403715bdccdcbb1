import ArgumentParser
import PumpConfig
import PumpHost
import PumpProtocol
import SerialTransport

/// The port arguments every subcommand that talks to a pump shares.
struct PortOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "A path (/dev/ttyUSB0, a socat link), a /dev/serial/by-id name, a KetaPump device id (KP-0001), or omit it with --latest.",
      valueName: "port"))
  var port: String?

  @Flag(help: "Use the most recently started simulator (else the newest serial port).")
  var latest = false

  @Option(help: "Baud rate (a pseudo-terminal ignores it; a USB adapter needs the device's).")
  var baud: Int = 115_200

  @Option(help: "Character framing: data bits, parity (N/E/O), stop bits.")
  var framing: String = "8N1"

  @Option(
    help:
      "Run directory of the simulators (default: $KETAPUMP_RUN_DIR, else $XDG_RUNTIME_DIR/ketapump, else /tmp/ketapump-<uid>)."
  )
  var runDir: String?

  @Option(
    help: ArgumentHelp(
      "Write the raw traffic to FILE: direction (RX/TX), relative time, hex-escaped bytes and the decoded frame; MACs and keys are never written.",
      valueName: "file"))
  var log: String?

  var resolver: PortResolver {
    PortResolver(runDirectory: runDir.map(RunDirectory.init(path:)) ?? .default())
  }

  func settings() throws(Failure) -> LineSettings {
    do { return try LineSettings(baud: baud, framing: framing) } catch {
      throw Failure("\(error)", code: ExitStatus.usage)
    }
  }

  func resolve() throws(Failure) -> ResolvedPort {
    do { return try resolver.resolve(port, latest: latest) } catch {
      throw Failure(error.description, code: ExitStatus.link)
    }
  }
}

/// `--key FILE --role ROLE`.
struct KeyOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Key file: a role key written by `pumpsim keygen` (pump.clinician.key…) or the device secret (pump.key, with --role). Without it pumpmon only observes.",
      valueName: "file"))
  var key: String?

  @Option(
    help: "Role to log in as: clinician, patient, vitals or service (default: the key file's).")
  var role: String?

  /// The role asked for, validated.
  func parsedRole() throws(Failure) -> Role? {
    guard let role else { return nil }
    guard let r = Role(rawValue: role.lowercased()), r != .observer else {
      throw Failure(
        "unknown role '\(role)' (expected clinician, patient, vitals or service)",
        code: ExitStatus.usage)
    }
    return r
  }

  /// The key to log in with (nil: observer). `defaultRole` is used when no --role is given and
  /// the file is the device secret (which can act in any role).
  func load(defaultRole: Role? = nil) throws(Failure) -> (deviceId: String, key: RoleKey)? {
    let r = try parsedRole()
    guard let key else {
      if r != nil { throw Failure("--role needs --key FILE", code: ExitStatus.usage) }
      return nil
    }
    do throws(KeyStore.Failure) {
      if let r { return try KeyLocator(path: key).load(role: r) }
      do { return try KeyStore.loadRoleKey(path: key, role: nil) } catch {
        guard case .wrongContent = error, let defaultRole else { throw error }
        return try KeyStore.loadRoleKey(path: key, role: defaultRole)
      }
    } catch {
      throw Failure(error.description, code: ExitStatus.auth)
    }
  }
}

/// Exit statuses (docs/PUMPMON.md): the same as `ClientError.exitCode`, plus 1 for a failed
/// script expectation and 64 for bad usage or input.
enum ExitStatus {
  static let ok: Int32 = 0
  static let expectation: Int32 = 1
  static let nak: Int32 = 2
  static let auth: Int32 = 3
  static let link: Int32 = 4
  static let uncertain: Int32 = 5
  static let usage: Int32 = 64
}

/// A failure to report: one line for users and its exit status.
struct Failure: Error, CustomStringConvertible {
  var message: String
  var code: Int32
  init(_ message: String, code: Int32) {
    self.message = message
    self.code = code
  }
  var description: String { message }
}
