import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The directory holding the built products (pumpsim, pumpmon) beside the running test bundle.
public let productsDirectory: String = {
  let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
  var dir = (exe as NSString).deletingLastPathComponent
  while !dir.isEmpty && dir != "/" && !FileManager.default.fileExists(atPath: "\(dir)/pumpsim") {
    dir = (dir as NSString).deletingLastPathComponent
  }
  return dir
}()

/// What a finished product run printed.
public struct ProductRun: Sendable {
  public var status: Int32
  public var out: String
  public var err: String

  public init(status: Int32, out: String, err: String) {
    self.status = status
    self.out = out
    self.err = err
  }

  /// Every stdout line parsed as a JSON object (nil if one does not parse).
  public var jsonLines: [[String: Any]]? {
    var lines: [[String: Any]] = []
    for line in out.split(separator: "\n") {
      guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      else { return nil }
      lines.append(o)
    }
    return lines
  }
}

/// Runs the product `name` (pumpsim, pumpmon) to completion with `stdin` as its input, killed
/// (SIGKILL) after `timeout` seconds. Standard output and error go to files in a temporary
/// directory, never pipes, so neither can fill up and block the product or the test.
public func runProduct(
  _ name: String, _ arguments: [String], environment: [String: String] = [:],
  stdin: String? = nil, timeout: Double = 20
) throws -> ProductRun {
  let dir = temporaryDirectory("run-\(name)")
  defer { try? FileManager.default.removeItem(atPath: dir) }
  let outPath = "\(dir)/stdout"
  let errPath = "\(dir)/stderr"
  let inPath = "\(dir)/stdin"
  for path in [outPath, errPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
  _ = FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "\(productsDirectory)/\(name)")
  p.arguments = arguments
  if !environment.isEmpty {
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  }
  p.standardOutput = FileHandle(forWritingAtPath: outPath)
  p.standardError = FileHandle(forWritingAtPath: errPath)
  p.standardInput = stdin == nil ? FileHandle.nullDevice : FileHandle(forReadingAtPath: inPath)
  try p.run()
  if !poll(until: { !p.isRunning }, timeout: timeout) { kill(p.processIdentifier, SIGKILL) }
  p.waitUntilExit()
  func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
  return ProductRun(status: p.terminationStatus, out: text(outPath), err: text(errPath))
}
