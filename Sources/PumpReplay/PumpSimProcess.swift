import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A `pumpsim` child process, the one way KetaPump starts it (online replay through
/// `ReplayPumpSim`, pumpbench, and the tests through KetaPumpTestSupport): standard error goes to
/// the file `logPath` (a chatty log can never block the pump on a full pipe), the JSON ready
/// line is awaited for at most `readyTimeout` seconds, `stop` signals and waits a bounded time
/// (then SIGKILL), and the process is killed when the object goes away at the latest.
public final class PumpSimProcess {
  public let process = Process()
  /// pumpsim's standard error.
  public let logPath: String
  /// The first standard-output line (`pumpsim run --json`: `{"event":"ready","port":…}`).
  public let readyLine: String
  /// `readyLine` parsed as a JSON object (empty if it is not one).
  public let ready: [String: Any]
  private let stdout: Pipe

  /// Starts `executable` with `arguments` (plus `environment` over this process's) and reads
  /// its first standard-output line (≤ `readyTimeout` s).
  public init(
    executable: String, arguments: [String], environment: [String: String] = [:],
    logPath: String, readyTimeout: Double = 10
  ) throws(OnlineError) {
    self.logPath = logPath
    let stdout = Pipe()
    self.stdout = stdout
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.standardOutput = stdout
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    guard let log = FileHandle(forWritingAtPath: logPath) else {
      throw .spawn("cannot write \(logPath)")
    }
    process.standardError = log
    do { try process.run() } catch { throw .spawn("\(executable): \(error)") }
    try? log.close()
    let fd = stdout.fileHandleForReading.fileDescriptor
    let line = Self.readLine(fd, timeout: readyTimeout)
    guard let line else {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
      throw .spawn("no ready line within \(readyTimeout) s / \(text)")
    }
    readyLine = line
    ready = Self.json(line) ?? [:]
  }

  /// The first port's link.
  public var port: String { ready["port"] as? String ?? "" }
  /// Every port's link (`--ports N`).
  public var ports: [String] { ready["ports"] as? [String] ?? (port.isEmpty ? [] : [port]) }
  public var pid: Int32 { process.processIdentifier }
  /// What pumpsim wrote to standard error so far.
  public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  /// The next standard-output line, or nil if none came within `timeout` seconds (or the
  /// output ended).
  public func readLine(timeout: Double) -> String? {
    Self.readLine(stdout.fileHandleForReading.fileDescriptor, timeout: timeout)
  }

  /// Sends `signal` if the process is running.
  public func signal(_ signal: Int32) {
    if process.isRunning { kill(process.processIdentifier, signal) }
  }

  /// Sends `signal`, waits (≤ `timeout` s) for the exit, SIGKILL after that; returns the exit
  /// status (the signal number if a signal ended it).
  @discardableResult
  public func stop(_ signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32 {
    self.signal(signal)
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(5_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return process.terminationStatus
  }

  deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

  /// `line` as a JSON object.
  public static func json(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
  }

  private static func readLine(_ fd: Int32, timeout: Double) -> String? {
    var bytes: [UInt8] = []
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, 100) > 0 else { continue }
      var b: UInt8 = 0
      guard read(fd, &b, 1) == 1 else { return nil }
      if b == 0x0A { return String(decoding: bytes, as: UTF8.self) }
      bytes.append(b)
    }
    return nil
  }
}
