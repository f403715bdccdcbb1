import Foundation
import PumpFirmware
import PumpReplay

#if canImport(Glibc)
  import Glibc
#endif

/// A real `pumpsim` process on real ptys for a test: the product's `PumpSimProcess` (standard
/// error in `<directory>/pumpsim.log`, bounded wait for the ready line, SIGKILL when the object
/// goes away at the latest) started from the products directory.
public final class PumpSim {
  public let process: PumpSimProcess
  /// The temporary directory holding the log (and, for `init(keys:…)`, run and state).
  public let directory: String
  /// The state directory, if this object chose it (`init(keys:…)`).
  public let stateDir: String?

  /// Starts `pumpsim` with `arguments` exactly (plus `environment`) and waits (≤ 10 s) for its
  /// JSON ready line.
  public init(_ arguments: [String], environment: [String: String] = [:]) throws {
    directory = temporaryDirectory("sim")
    stateDir = nil
    process = try Self.start(arguments, environment: environment, directory: directory)
  }

  /// Starts `pumpsim run --key <keys.device> --run-dir <runDir> --state-dir <stateDir> --json`
  /// plus `arguments`; run and state directories default to fresh ones (give the same ones to
  /// restart a pump with its journal).
  public init(
    keys: Keys, runDir: String? = nil, stateDir: String? = nil, _ arguments: [String],
    environment: [String: String] = [:]
  ) throws {
    directory = temporaryDirectory("sim")
    let state = stateDir ?? "\(directory)/state"
    self.stateDir = state
    process = try Self.start(
      [
        "run", "--key", keys.device, "--run-dir", runDir ?? "\(directory)/run", "--state-dir",
        state, "--json",
      ] + arguments, environment: environment, directory: directory)
  }

  private static func start(
    _ arguments: [String], environment: [String: String], directory: String
  ) throws -> PumpSimProcess {
    let p: PumpSimProcess
    do {
      p = try PumpSimProcess(
        executable: "\(productsDirectory)/pumpsim", arguments: arguments,
        environment: environment, logPath: "\(directory)/pumpsim.log")
    } catch {
      throw TestFailure("\(error)")
    }
    guard !p.ready.isEmpty else {
      throw TestFailure("pumpsim's first line is not JSON: \(p.readyLine) / \(p.log)")
    }
    return p
  }

  /// The ready line, parsed.
  public var ready: [String: Any] { process.ready }
  /// The first port's link.
  public var port: String { process.port }
  /// Every port's link (`--ports N`).
  public var ports: [String] { process.ports }
  public var pid: Int32 { process.pid }
  /// What pumpsim wrote to standard error so far.
  public var log: String { process.log }

  /// Sends `signal` and waits (≤ 10 s, then SIGKILL) for the exit; returns the exit status.
  @discardableResult
  public func stop(_ signal: Int32 = SIGTERM) -> Int32 { process.stop(signal) }

  /// SIGTERM, then the JSON "stopped" line's super-loop figures (≤ 10 s) and the exit status.
  public func stopWithFigures() throws -> LoopFigures {
    process.signal(SIGTERM)
    let line = process.readLine(timeout: 10)
    let status = process.stop()
    guard let line, let o = PumpSimProcess.json(line), o["event"] as? String == "stopped" else {
      throw TestFailure("no stopped line: \(line ?? "(none)") / \(log)")
    }
    func int(_ k: String) -> Int { (o[k] as? NSNumber)?.intValue ?? -1 }
    return LoopFigures(
      passes: int("passes"), lateTicks: int("lateTicks"), watchdogTrips: int("watchdogTrips"),
      maxGapMs: int("maxGapMs"), executed: int("executed"), exitStatus: status)
  }

  /// The journal's host inputs (events and injections), one line each, `JI,<record>,<t ms>,R,<input>`:
  /// inputs that were executed. An unreadable journal gives one line saying so (never an empty
  /// list a test would take for "nothing executed").
  public func journalRequests() -> [String] {
    guard let stateDir,
      let data = FileManager.default.contents(atPath: "\(stateDir)/\(Journal.journalFileName)")
    else { return [] }
    guard let image = JournalImage.reading([UInt8](data)) else {
      return ["unreadable journal (\(data.count) bytes)"]
    }
    var out: [String] = []
    for i in image.entries.indices {
      guard case .input(let t, let input)? = try? image.record(i) else { continue }
      switch input {
      case .event(let e): out.append("JI,\(image.entries[i].seq),\(t.rawValue),R,\(e)")
      case .injection(let j): out.append("JI,\(image.entries[i].seq),\(t.rawValue),R,INJECT,\(j)")
      default: continue
      }
    }
    return out
  }
}

/// The super-loop's figures from pumpsim's JSON "stopped" line.
public struct LoopFigures: Sendable, CustomStringConvertible {
  public var passes: Int
  public var lateTicks: Int
  public var watchdogTrips: Int
  public var maxGapMs: Int
  public var executed: Int
  public var exitStatus: Int32

  public var description: String {
    "passes \(passes), late ticks \(lateTicks), watchdog trips \(watchdogTrips), longest gap \(maxGapMs) ms, executed \(executed)"
  }
}
