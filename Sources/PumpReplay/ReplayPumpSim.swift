import Foundation
import PumpConfig
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// A fresh pumpsim for one online replay (`pumpmon replay --spawn-pumpsim`): a new device key
/// and an empty state directory in a temporary directory, `pumpsim run --ports 4 --clock
/// virtual --telemetry-hz 0 --json`, started through `PumpSimProcess`, stopped with SIGTERM
/// (SIGKILL after 10 s) and its directory removed by `stop()`.
public final class ReplayPumpSim {
  /// The temporary directory holding key, run and state directories and pumpsim's log.
  public let directory: String
  public let pumpsim: PumpSimProcess
  public let deviceId: String
  /// Role keys derived from the fresh device secret.
  public let keys: [Role: RoleKey]
  /// The pump's ports (service, clinician, patient, vitals), from the ready line.
  public var ports: [String] { pumpsim.ports }

  /// Starts `pumpsim` (the executable at `executable`) on the pump model file `profile`, with
  /// `extra` arguments (a patient: `OnlineDriver.pumpsimArguments(for:profiles:)`).
  public init(executable: String, profile: String, extra: [String] = []) throws(OnlineError) {
    var template = Array("/tmp/ketapump-replay-XXXXXX".utf8CString)
    guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw .spawn("cannot create a temporary directory (errno \(errno))")
    }
    let directory = String(cString: p)
    self.directory = directory
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
      var keys: [Role: RoleKey] = [:]
      for role in OnlinePump.rolesByPort { keys[role] = try secret.roleKey(for: role) }
      self.keys = keys
    } catch {
      throw .spawn("\(key): \(error)")
    }
    pumpsim = try PumpSimProcess(
      executable: executable,
      arguments: [
        "run", "--key", key, "--ports", "4", "--clock", "virtual", "--telemetry-hz", "0", "--json",
        "--log-level", "error", "--profile", profile, "--run-dir", "\(directory)/run",
        "--state-dir", "\(directory)/state", "--name", "replay",
      ] + extra, logPath: "\(directory)/pumpsim.log")
    guard pumpsim.ports.count >= 4 else {
      let why = pumpsim.log
      stop()
      throw .spawn("pumpsim did not start with 4 ports: \(pumpsim.ready) \(why)")
    }
  }

  /// Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its directory.
  public func stop() {
    pumpsim.stop()
    try? FileManager.default.removeItem(atPath: directory)
  }
}
