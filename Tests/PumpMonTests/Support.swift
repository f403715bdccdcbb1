import Foundation
import PumpConfig
import PumpCore
import PumpHost
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// The directory holding the built products (pumpsim, pumpmon) beside this test bundle.
let productsDirectory: String = {
  let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
  var dir = (exe as NSString).deletingLastPathComponent
  while !dir.isEmpty && dir != "/" && !FileManager.default.fileExists(atPath: "\(dir)/pumpmon") {
    dir = (dir as NSString).deletingLastPathComponent
  }
  return dir
}()

/// A fresh directory under /tmp.
func temporaryDirectory(_ tag: String) -> String {
  var template = Array("/tmp/pumpmon-test-\(tag)-XXXXXX".utf8CString)
  let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
  return String(cString: p!)
}

enum TestError: Error { case failed(String) }

/// A real `pumpsim run` process on a real pty, killed when the test ends at the latest.
final class SimProcess {
  let process = Process()
  let stdout = Pipe()
  let stderr = Pipe()
  var ready: [String: Any] = [:]
  var port: String { ready["port"] as? String ?? "" }

  /// Starts `pumpsim run --key <keys.device> --run-dir <runDir> --json …` and waits (≤ 10 s)
  /// for its ready line.
  init(keys: Keys, runDir: String, extra: [String] = []) throws {
    process.executableURL = URL(fileURLWithPath: "\(productsDirectory)/pumpsim")
    process.arguments =
      ["run", "--key", keys.device, "--run-dir", runDir, "--json", "--log-level", "error"] + extra
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let line = try readLine(timeout: 10)
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else { throw TestError.failed("no ready line: \(line)") }
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
    throw TestError.failed("no ready line: \(String(decoding: bytes, as: UTF8.self))")
  }

  /// Sends `signal` and waits (≤ 10 s) for the exit.
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

/// What a finished product run printed.
struct RunResult {
  var status: Int32
  var out: String
  var err: String
  /// Every stdout line parsed as a JSON object (nil if one does not parse).
  var jsonLines: [[String: Any]]? {
    var out: [[String: Any]] = []
    for line in self.out.split(separator: "\n") {
      guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      else { return nil }
      out.append(o)
    }
    return out
  }
}

/// Runs a product to completion (killed after `timeout` s) with `stdin` as its input.
func runProduct(
  _ name: String, _ arguments: [String], environment: [String: String] = [:],
  stdin: String? = nil, timeout: TimeInterval = 20
) throws -> RunResult {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "\(productsDirectory)/\(name)")
  p.arguments = arguments
  var env = ProcessInfo.processInfo.environment
  for (k, v) in environment { env[k] = v }
  p.environment = env
  let out = Pipe()
  let err = Pipe()
  let inp = Pipe()
  p.standardOutput = out
  p.standardError = err
  p.standardInput = stdin == nil ? FileHandle.nullDevice : inp
  try p.run()
  if let stdin {
    inp.fileHandleForWriting.write(Data(stdin.utf8))
    try? inp.fileHandleForWriting.close()
  }
  let killer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
  DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  killer.cancel()
  return RunResult(
    status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
    err: String(decoding: e, as: UTF8.self))
}

/// `pumpmon …` with the run directory of a test.
func pumpmon(_ args: [String], runDir: String, stdin: String? = nil, timeout: TimeInterval = 20)
  throws -> RunResult
{
  try runProduct(
    "pumpmon", args, environment: ["KETAPUMP_RUN_DIR": runDir], stdin: stdin, timeout: timeout)
}

/// A key set made by `pumpsim keygen` in a fresh directory.
struct Keys {
  let dir: String
  let device: String
  let deviceId: String
  init(deviceId: String) throws {
    self.deviceId = deviceId
    dir = temporaryDirectory("keys")
    device = "\(dir)/pump.key"
    let r = try runProduct("pumpsim", ["keygen", "--device-id", deviceId, "--out", device])
    guard r.status == 0 else { throw TestError.failed("keygen: \(r.err)") }
  }
  func path(_ role: Role) -> String { "\(dir)/pump.\(role.rawValue).key" }
  func key(_ role: Role) throws -> RoleKey {
    try KeyStore.loadRoleKey(path: path(role), role: role).key
  }
}

/// A simulator with its keys and run directory.
struct Bench {
  let keys: Keys
  let runDir: String
  let sim: SimProcess

  init(_ deviceId: String, extra: [String] = ["--telemetry-hz", "0"]) throws {
    keys = try Keys(deviceId: deviceId)
    runDir = temporaryDirectory("run")
    sim = try SimProcess(keys: keys, runDir: runDir, extra: extra)
  }

  /// Restarts the simulator with the same key and run directory (journal kept).
  func restart(extra: [String] = ["--telemetry-hz", "0"]) throws -> SimProcess {
    try SimProcess(keys: keys, runDir: runDir, extra: extra)
  }

  /// One logged-in client: HELLO, login as `role`, `body`, logout.
  @discardableResult
  func as_<T>(_ role: Role, _ body: (PumpClient) throws -> T) throws -> T {
    let c = try PumpClient.open(path: sim.port, key: try keys.key(role))
    defer { c.close() }
    try c.hello()
    try c.login()
    return try body(c)
  }

  /// Virtual clock, calm vitals, the default ward prescription, started.
  func startTherapy() throws {
    try as_(.service) { try $0.request(.clock(.mode(.virtual))) }
    try as_(.vitals) {
      try $0.request(.vitals(VitalsSample(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)))
    }
    try as_(.clinician) { c in
      try c.request(.program(CommandParser.defaultPrescription))
      try c.request(.start)
    }
  }

  func status() throws -> Telemetry {
    let c = try PumpClient.open(path: sim.port)
    defer { c.close() }
    try c.hello()
    guard case .ack(.status(let t)) = try c.request(.status).result else {
      throw TestError.failed("no status")
    }
    return t
  }
}

/// A tmux server of its own (never the user's): one session running a command in a pane of a
/// fixed size; keys in, screen out.
final class Tmux {
  let socket: String
  let session = "pumpmon"

  init(command: String, cols: Int = 100, rows: Int = 32) throws {
    socket = "pumpmon-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    // The server inherits the client's descriptors: never a pipe, or reading it never ends.
    let r = try Tmux.run(
      [
        "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "\(cols)",
        "-y", "\(rows)", command,
      ], capture: false)
    guard r.status == 0 else { throw TestError.failed("tmux: \(r.err)") }
  }

  func tmux(_ args: [String]) -> RunResult {
    (try? Tmux.run(["-L", socket] + args)) ?? RunResult(status: -1, out: "", err: "")
  }

  /// Runs tmux with posix_spawn and waitpid; output goes through a temporary file (the tmux
  /// server inherits the client's descriptors, so a pipe would never reach end of file).
  static func run(_ args: [String], capture: Bool = true) throws -> RunResult {
    let outPath = capture ? temporaryDirectory("tmuxout") + "/out" : "/dev/null"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = (["/usr/bin/tmux"] + args).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/usr/bin/tmux", &actions, nil, argv, environ) == 0 else {
      throw TestError.failed("cannot run tmux")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let out = capture ? ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "") : ""
    if capture { unlink(outPath) }
    return RunResult(status: (status >> 8) & 0xFF, out: out, err: "")
  }

  /// Sends keys as tmux names them (`b`, `y`, `Enter`, `:`); `literal` sends text as typed.
  func send(_ keys: String..., literal: Bool = false) {
    _ = tmux(["send-keys", "-t", session] + (literal ? ["-l"] : []) + keys)
  }

  /// The visible screen text.
  func screen() -> String { tmux(["capture-pane", "-p", "-t", session]).out }

  /// Waits (≤ `timeout` s) until the screen satisfies `predicate`; returns the last screen.
  @discardableResult
  func waitFor(_ timeout: TimeInterval = 10, _ predicate: (String) -> Bool) -> (Bool, String) {
    let deadline = Date().addingTimeInterval(timeout)
    var s = screen()
    while Date() < deadline {
      if predicate(s) { return (true, s) }
      usleep(100_000)
      s = screen()
    }
    return (predicate(s), s)
  }

  func resize(cols: Int, rows: Int) {
    _ = tmux(["resize-window", "-t", session, "-x", "\(cols)", "-y", "\(rows)"])
  }

  /// Stops this tmux server (and with it the pane's processes). Idempotent.
  func kill() {
    let pid = Int32(tmux(["display-message", "-p", "#{pid}"]).out.filter(\.isNumber)) ?? 0
    _ = tmux(["kill-server"])
    if pid > 0 { Glibc.kill(pid, SIGKILL) }
  }

  deinit { kill() }
}
