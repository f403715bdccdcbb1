import Foundation
import PumpConfig
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// A fresh pumpsim for one online replay (`pumpmon replay --spawn-pumpsim`): a new device key
/// and an empty state directory in a temporary directory, `pumpsim run --ports 4 --clock
/// virtual --telemetry-hz 0 --json`, the ready line read, stopped with SIGTERM (SIGKILL after
/// 10 s) and its directory removed by `stop()`.
public final class PumpSimProcess {
  public let process = Process()
  /// The temporary directory holding key, run and state directories.
  public let directory: String
  /// The pump's ports (service, clinician, patient, vitals) and device id, from the ready line.
  public private(set) var ports: [String] = []
  public private(set) var deviceId = ""
  /// Role keys derived from the fresh device secret.
  public private(set) var keys: [Role: RoleKey] = [:]
  private let stdout = Pipe()
  /// pumpsim's log (stderr), a file in `directory` so a chatty log can never block it.
  private var logPath: String { "\(directory)/pumpsim.log" }

  /// Starts `pumpsim` (the executable at `executable`) on the pump model file `profile`.
  public init(executable: String, profile: String) throws(OnlineError) {
    var template = Array("/tmp/ketapump-replay-XXXXXX".utf8CString)
    guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw .spawn("cannot create a temporary directory (errno \(errno))")
    }
    directory = String(cString: p)
    let key = "\(directory)/pump.key"
    let keygen = Process()
    keygen.executableURL = URL(fileURLWithPath: executable)
    keygen.arguments = ["keygen", "--device-id", "KP-REPLAY-1", "--out", key, "--no-role-keys"]
    keygen.standardOutput = FileHandle.nullDevice
    keygen.standardError = FileHandle.nullDevice
    do { try keygen.run() } catch { throw .spawn("\(executable): \(error)") }
    keygen.waitUntilExit()
    guard keygen.terminationStatus == 0 else {
      throw .spawn("\(executable) keygen failed (exit \(keygen.terminationStatus))")
    }
    do {
      let (id, secret) = try KeyStore.loadDeviceSecret(path: key)
      deviceId = id
      for role in OnlinePump.rolesByPort { keys[role] = try secret.roleKey(for: role) }
    } catch {
      throw .spawn("\(key): \(error)")
    }
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = [
      "run", "--key", key, "--ports", "4", "--clock", "virtual", "--telemetry-hz", "0", "--json",
      "--log-level", "error", "--profile", profile, "--run-dir", "\(directory)/run",
      "--state-dir", "\(directory)/state", "--name", "replay",
    ]
    process.standardOutput = stdout
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    process.standardError = FileHandle(forWritingAtPath: logPath)
    do { try process.run() } catch { throw .spawn("\(executable): \(error)") }
    let line = readLine(timeout: 10)
    guard let data = line.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let ports = object["ports"] as? [String], ports.count >= 4
    else {
      let why = errorText()
      stop()
      throw .spawn("pumpsim did not start: \(line) \(why)")
    }
    self.ports = ports
  }

  /// Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its directory.
  public func stop() {
    if process.isRunning {
      kill(process.processIdentifier, SIGTERM)
      let deadline = Date().addingTimeInterval(10)
      while process.isRunning && Date() < deadline { usleep(5_000) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    if process.processIdentifier != 0 { process.waitUntilExit() }
    try? FileManager.default.removeItem(atPath: directory)
  }

  deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

  private func readLine(timeout: TimeInterval) -> String {
    var bytes: [UInt8] = []
    let fd = stdout.fileHandleForReading.fileDescriptor
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, 100) > 0 else { continue }
      var b: UInt8 = 0
      guard read(fd, &b, 1) == 1 else { break }
      if b == 0x0A { return String(decoding: bytes, as: UTF8.self) }
      bytes.append(b)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private func errorText() -> String {
    FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
  }
}

/// Why an online replay could not start.
public enum OnlineError: Error, Hashable, Sendable, CustomStringConvertible {
  /// pumpsim could not be started.
  case spawn(String)
  /// The key files could not be used.
  case keys(String)

  public var description: String {
    switch self {
    case .spawn(let m): "spawning pumpsim: \(m)"
    case .keys(let m): "keys: \(m)"
    }
  }
}
