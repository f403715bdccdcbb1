import Foundation
import PumpConfig
import PumpHost
import PumpProtocol
import SerialTransport

/// The directory holding the built products (pumpsim, pumpmon) beside this test bundle.
let productsDirectory: String = {
  let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
  var dir = (exe as NSString).deletingLastPathComponent
  while !dir.isEmpty && dir != "/" && !FileManager.default.fileExists(atPath: "\(dir)/pumpsim") {
    dir = (dir as NSString).deletingLastPathComponent
  }
  return dir
}()

/// A real `pumpsim run` process on real ptys, killed when the test ends at the latest. Its
/// standard error goes to a file (so a chatty log can never block the pump on a full pipe);
/// `log` reads it. `stop()` returns the JSON "stopped" line's figures.
final class PumpSimProcess {
  let process = Process()
  let stdout = Pipe()
  let errorPath: String
  let stateDir: String
  private(set) var ready: [String: Any] = [:]
  /// The first port's link.
  var port: String { ready["port"] as? String ?? "" }
  /// Every port's link (`--ports N`).
  var ports: [String] { ready["ports"] as? [String] ?? [port] }

  /// Starts `pumpsim run --key … --run-dir … --state-dir … --json` plus `arguments`, and waits
  /// (≤ 10 s) for the ready line.
  init(keys: Keys, _ arguments: [String]) throws {
    let dir = temporaryDirectory("sim")
    errorPath = "\(dir)/stderr.log"
    stateDir = "\(dir)/state"
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    process.executableURL = URL(fileURLWithPath: "\(productsDirectory)/pumpsim")
    process.arguments =
      [
        "run", "--key", keys.device, "--run-dir", "\(dir)/run", "--state-dir", stateDir, "--json",
      ] + arguments
    process.standardOutput = stdout
    process.standardError = FileHandle(forWritingAtPath: errorPath)
    try process.run()
    let line = try readLine(timeout: 10)
    guard let object = Self.json(line), object["event"] as? String == "ready" else {
      throw TestFailure("no ready line: \(line) / \(log)")
    }
    ready = object
  }

  /// What pumpsim wrote to standard error so far.
  var log: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

  /// The journal's request records (`$JI,…,R,…`): inputs that were executed.
  func journalRequests() -> [String] {
    let text = (try? String(contentsOfFile: "\(stateDir)/journal.kpj", encoding: .utf8)) ?? ""
    return text.split(whereSeparator: \.isNewline).map(String.init).filter {
      $0.hasPrefix("$JI,") && $0.split(separator: ",").dropFirst(3).first == "R"
    }
  }

  func readLine(timeout: TimeInterval) throws -> String {
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
    throw TestFailure("no line from pumpsim: \(String(decoding: bytes, as: UTF8.self)) / \(log)")
  }

  /// SIGTERM, wait for the exit (≤ 10 s), and return the "stopped" line's figures.
  func stop() throws -> LoopFigures {
    if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    let line = try readLine(timeout: 10)
    process.waitUntilExit()
    guard let o = Self.json(line), o["event"] as? String == "stopped" else {
      throw TestFailure("no stopped line: \(line)")
    }
    func int(_ k: String) -> Int { (o[k] as? NSNumber)?.intValue ?? -1 }
    return LoopFigures(
      passes: int("passes"), lateTicks: int("lateTicks"), watchdogTrips: int("watchdogTrips"),
      maxGapMs: int("maxGapMs"), executed: int("executed"), exitStatus: process.terminationStatus)
  }

  static func json(_ line: String) -> [String: Any]? {
    guard let data = line.data(using: .utf8) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
  }

  deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// The super-loop's figures from pumpsim's JSON "stopped" line.
struct LoopFigures: CustomStringConvertible {
  var passes: Int
  var lateTicks: Int
  var watchdogTrips: Int
  var maxGapMs: Int
  var executed: Int
  var exitStatus: Int32

  var description: String {
    "passes \(passes), late ticks \(lateTicks), watchdog trips \(watchdogTrips), longest gap \(maxGapMs) ms, executed \(executed)"
  }
}

/// A test precondition that did not hold (with what was seen).
struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
