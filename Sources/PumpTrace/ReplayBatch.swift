import Dispatch
import Foundation

/// Files in, results out: finds traces, parses and binds them, and replays them in parallel
/// across cores with results in input order.
public enum ReplayBatch {
  /// The trace files named by `paths`: files as given, directories searched recursively for
  /// `*.trace` (sorted by path).
  public static func collect(_ paths: [String]) throws(TraceError) -> [String] {
    var out: [String] = []
    let fm = FileManager.default
    for p in paths {
      var isDir: ObjCBool = false
      guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
        throw TraceError(file: p, line: 0, column: 0, message: "no such file or directory")
      }
      if !isDir.boolValue {
        out.append(p)
        continue
      }
      let base = p.hasSuffix("/") ? String(p.dropLast()) : p
      let found = (fm.enumerator(atPath: p)?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix(".trace") }.sorted()
      out += found.map { "\(base)/\($0)" }
    }
    return out
  }

  /// Reads and parses one trace file; CSV paths in it are relative to its directory.
  public static func load(_ path: String) throws(TraceError) -> Trace {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TraceError(file: path, line: 0, column: 0, message: "cannot read the file")
    }
    let dir = (path as NSString).deletingLastPathComponent
    return try TraceParser.parse(bytes: [UInt8](data), file: path) { rel in
      let full = rel.hasPrefix("/") || dir.isEmpty ? rel : "\(dir)/\(rel)"
      return FileManager.default.contents(atPath: full).map { [UInt8]($0) }
    }
  }

  /// Exit status of a replay: 0 when every trace went as expected, 1 otherwise (2, bad
  /// input, is decided before any replay).
  public static func exitStatus(_ results: [TraceResult]) -> Int32 {
    results.allSatisfy { $0.asExpected && $0.error == nil } ? 0 : 1
  }

  /// Replays bound traces on all cores; results in the order given.
  public static func run(_ jobs: [(Trace, TraceSetup)], keepLogs: Bool = false) -> [TraceResult] {
    let box = ResultBox(count: jobs.count)
    DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
      let r = OfflineReplay.run(jobs[i].0, setup: jobs[i].1, keepLog: keepLogs)
      box.set(i, r)
    }
    return box.results.compactMap { $0 }
  }
}

/// Results written from several threads, each index once.
private final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var results: [TraceResult?]

  init(count: Int) { results = Array(repeating: nil, count: count) }

  func set(_ i: Int, _ r: TraceResult) {
    lock.lock()
    results[i] = r
    lock.unlock()
  }
}
