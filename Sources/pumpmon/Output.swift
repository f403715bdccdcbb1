import ArgumentParser
import PumpHost
import PumpProtocol
import PumpTrace

#if canImport(Glibc)
  import Glibc
#endif

/// Line output on stdout and stderr, written at once (scripts and tests read it live).
enum Out {
  static func line(_ s: String) {
    var bytes = Array((s + "\n").utf8)
    writeAll(1, &bytes)
  }

  static func json(_ v: JSONValue) { line(v.description) }

  static func error(_ s: String) {
    var bytes = Array(("pumpmon: " + s + "\n").utf8)
    writeAll(2, &bytes)
  }

  static func writeAll(_ fd: Int32, _ bytes: inout [UInt8]) {
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      off += n
    }
  }
}

/// Turns errors into one clear line and an exit status; never a stack trace.
enum Report {
  /// The message and exit status for any error pumpmon can meet.
  static func describe(_ error: any Error, role: Role = .observer) -> Failure {
    switch error {
    case let f as Failure: return f
    case let e as ClientError: return Failure(explain(e, role: role), code: e.exitCode)
    case let e as ScriptError: return Failure(e.description, code: ExitStatus.usage)
    case let e as CommandError: return Failure(e.description, code: ExitStatus.usage)
    case let e as TrafficLog.OpenError: return Failure(e.description, code: ExitStatus.usage)
    default: return Failure("\(error)", code: 1)
    }
  }

  /// `ClientError.description`, with the role a refused command needs.
  static func explain(_ e: ClientError, role: Role) -> String {
    switch e {
    case .nak(let r, let n) where n.code == .roleForbidden:
      let needed = HostCommand(request: r, raisesDelivery: false, summary: "").roleMessage(
        loggedInAs: role)
      return "\(CommandText.verb(r)) refused: NAK 08 role-forbidden: \(needed)"
    case .nak(let r, let n):
      return "\(CommandText.of(r)) refused: \(WireNames.describe(n))"
    case .session(.notLoggedIn):
      return "this command needs a login: give --key FILE and --role (see pumpmon help send)"
    default: return e.description
    }
  }

  /// Prints the failure (stderr, and a JSON line with `--json`) and exits with its status.
  static func fail(_ f: Failure, json: Bool, extra: [String: JSONValue] = [:]) -> ExitCode {
    Out.error(f.message)
    if json { Out.json(JSONOutput.error(f.message, exit: f.code, extra: extra)) }
    return ExitCode(f.code)
  }
}

/// Builds the session every subcommand uses: resolved port, key, optional traffic log.
enum Connection {
  static func driver(
    port: PortOptions, key: KeyOptions, defaultRole: Role? = nil, telemetryHz: Int? = nil,
    reconnect: Bool = false, patientPollMs: Int64? = nil, command: String
  ) throws(Failure) -> SessionDriver {
    let settings = try port.settings()
    let loaded = try key.load(defaultRole: defaultRole)
    let resolved = try port.resolve()
    var options = MonitorSession.Options(
      port: resolved, settings: settings, key: loaded?.key, keyDeviceId: loaded?.deviceId,
      telemetryHz: telemetryHz, resolver: port.resolver)
    options.reconnect = reconnect
    options.patientPollMs = patientPollMs
    var log: TrafficLog?
    if let path = port.log {
      do {
        log = try TrafficLog(
          path: path, header: "pumpmon \(command) on \(resolved), requested \(settings)")
      } catch { throw Failure(error.description, code: ExitStatus.usage) }
    }
    return SessionDriver(session: MonitorSession(options), trafficLog: log)
  }
}
