import Foundation
import KetaPumpTestSupport
import PumpConfig
import PumpCore
import PumpHost
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// `pumpmon …` with the run directory of a test.
func pumpmon(_ args: [String], runDir: String, stdin: String? = nil, timeout: TimeInterval = 20)
  throws -> ProductRun
{
  try runProduct(
    "pumpmon", args, environment: ["KETAPUMP_RUN_DIR": runDir], stdin: stdin, timeout: timeout)
}

/// A simulator with its keys and run directory.
struct Bench {
  let keys: Keys
  let runDir: String
  let sim: PumpSim

  init(_ deviceId: String, extra: [String] = ["--telemetry-hz", "0"]) throws {
    keys = try Keys(deviceId: deviceId)
    runDir = temporaryDirectory("run")
    sim = try Bench.start(keys: keys, runDir: runDir, extra: extra)
  }

  /// Restarts the simulator with the same key, run and state directories (journal kept).
  func restart(extra: [String] = ["--telemetry-hz", "0"]) throws -> PumpSim {
    try Bench.start(keys: keys, runDir: runDir, extra: extra)
  }

  private static func start(keys: Keys, runDir: String, extra: [String]) throws -> PumpSim {
    try PumpSim(
      keys: keys, runDir: runDir, stateDir: "\(runDir)/state/\(keys.deviceId)",
      ["--log-level", "error"] + extra)
  }

  /// One logged-in client: HELLO, login as `role`, `body`, logout.
  @discardableResult
  func as_<T>(_ role: Role, _ body: (PumpClient) throws -> T) throws -> T {
    try session(role, keys, port: sim.port, body)
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

  func status() throws -> Telemetry { try KetaPumpTestSupport.status(port: sim.port) }
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
    guard r.status == 0 else { throw TestFailure("tmux: \(r.err)") }
  }

  func tmux(_ args: [String]) -> ProductRun {
    (try? Tmux.run(["-L", socket] + args)) ?? ProductRun(status: -1, out: "", err: "")
  }

  /// Runs tmux with posix_spawn and waitpid; output goes through a temporary file (the tmux
  /// server inherits the client's descriptors, so a pipe would never reach end of file).
  static func run(_ args: [String], capture: Bool = true) throws -> ProductRun {
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
      throw TestFailure("cannot run tmux")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let out = capture ? ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "") : ""
    if capture { unlink(outPath) }
    return ProductRun(status: (status >> 8) & 0xFF, out: out, err: "")
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
    var s = ""
    let held = poll(
      until: {
        s = screen()
        return predicate(s)
      }, timeout: timeout, interval: 0.1)
    return (held, s)
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
