import ArgumentParser
import SerialTransport
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// `pumpmon ports`: serial port discovery (SerialTransport issue #3).
struct Ports: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List serial ports: USB and on-board ttys (libudev) and KetaPump virtual ports.",
    discussion: """
      Virtual ports are found through the simulators' run directory ($KETAPUMP_RUN_DIR, else \
      $XDG_RUNTIME_DIR/ketapump, else /tmp/ketapump-<uid>). With --watch, prints one line (or one \
      JSON object) per port added or removed until interrupted (Ctrl-C exits 0).
      """)

  @Flag(help: "Print a JSON array (with --watch: one JSON object per line).")
  var json = false

  @Flag(help: "Report ports added and removed until interrupted.")
  var watch = false

  @Option(help: "Run directory of the simulators (default: see above).")
  var runDir: String?

  @Option(help: "Polling interval when udev's netlink monitor is unavailable, milliseconds.")
  var interval: Int = 1000

  func validate() throws {
    guard (10...60_000).contains(interval) else {
      throw ValidationError("--interval must be between 10 and 60000 ms")
    }
  }

  func run() throws {
    let runDirectory = runDir.map(RunDirectory.init(path:)) ?? .default()
    guard watch else {
      let ports = PortDiscovery.enumerate(runDirectory: runDirectory)
      print(json ? PortDiscovery.json(ports) : PortTable.render(ports))
      return
    }
    StopSignal.install()
    let watcher = PortWatcher(
      runDirectory: runDirectory, pollIntervalMs: Int32(interval),
      notice: { note in
        var err = StandardError()
        print(note, to: &err)
      })
    if !json {
      print(PortTable.render(watcher.current))
      print("watching for changes (Ctrl-C to stop)")
    } else {
      for port in watcher.current { print(PortDiscovery.jsonLine(PortEvent(.added, port))) }
    }
    fflush(nil)
    while !StopSignal.requested {
      for event in watcher.next(timeoutMs: 1000) {
        print(json ? PortDiscovery.jsonLine(event) : PortTable.line(event))
      }
      fflush(nil)
    }
  }
}

/// SIGINT/SIGTERM set a flag; the wait in `PortWatcher.next` returns early (`EINTR`).
enum StopSignal {
  private static let flag = Atomic<Bool>(false)

  static var requested: Bool { flag.load(ordering: .relaxed) }

  static func install() {
    let handler: @convention(c) (Int32) -> Void = { _ in
      StopSignal.flag.store(true, ordering: .relaxed)
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
  }
}

/// `print(..., to: &err)` to standard error.
struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    var bytes = Array(string.utf8)
    _ = Glibc.write(2, &bytes, bytes.count)
  }
}
