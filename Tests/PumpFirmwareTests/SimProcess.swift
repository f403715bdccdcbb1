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

/// A real `pumpsim` process on a real pty, stopped (SIGKILL) when the test ends at the latest.
final class SimProcess {
  let process = Process()
  let stdout = Pipe()
  let stderr = Pipe()
  var ready: [String: Any] = [:]
  var port: String { ready["port"] as? String ?? "" }

  /// Starts `pumpsim` with `arguments` and waits (≤ 10 s) for its JSON ready line.
  init(_ arguments: [String], environment: [String: String] = [:]) throws {
    process.executableURL = URL(fileURLWithPath: "\(productsDirectory)/pumpsim")
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let line = try readLine(timeout: 10)
    guard let data = line.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw SimError.noReadyLine(line + " / " + errorText()) }
    ready = object
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
    throw SimError.noReadyLine(String(decoding: bytes, as: UTF8.self) + " / " + errorText())
  }

  func errorText() -> String {
    if process.isRunning { return "(running)" }
    let data = stderr.fileHandleForReading.readDataToEndOfFile()
    return String(decoding: data, as: UTF8.self)
  }

  /// Sends `signal` and waits (≤ 10 s) for the exit; returns the exit status.
  @discardableResult
  func stop(_ signal: Int32 = SIGTERM) -> Int32 {
    if process.isRunning { kill(process.processIdentifier, signal) }
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return process.terminationStatus
  }

  deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

enum SimError: Error { case noReadyLine(String) }

/// Runs a product to completion (≤ 20 s): exit status, stdout, stderr.
func runProduct(_ name: String, _ arguments: [String]) throws -> (Int32, String, String) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "\(productsDirectory)/\(name)")
  p.arguments = arguments
  let out = Pipe()
  let err = Pipe()
  p.standardOutput = out
  p.standardError = err
  try p.run()
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (
    p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self)
  )
}

/// A key set made by `pumpsim keygen` in a fresh directory.
struct Keys {
  let dir: String
  let device: String
  init(deviceId: String = "KP-E2E-1") throws {
    dir = temporaryDirectory("keys")
    device = "\(dir)/pump.key"
    let (status, _, err) = try runProduct(
      "pumpsim", ["keygen", "--device-id", deviceId, "--out", device])
    guard status == 0 else { throw SimError.noReadyLine("keygen: \(err)") }
  }
  func path(_ role: Role) -> String { "\(dir)/pump.\(role.rawValue).key" }
  func key(_ role: Role) throws -> RoleKey {
    try KeyStore.loadRoleKey(path: path(role), role: role).key
  }
}

/// One logged-in client per call: opens the port, HELLO, login as `role`, runs `body`, closes.
@discardableResult
func as_<T>(
  _ role: Role, _ keys: Keys, port: String, _ body: (PumpClient) throws -> T
) throws -> T {
  let c = try PumpClient.open(path: port, key: try keys.key(role))
  defer { c.close() }
  try c.hello()
  try c.login()
  return try body(c)
}
