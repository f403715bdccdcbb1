import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How many pumps the kernel lets one `pumpsim fleet` run: each needs a pseudo-terminal
/// (`kernel.pty.max` system-wide, `kernel.pty.nr` in use) and three file descriptors (pty
/// master, journal, audit trail; the ports share one inotify instance, the alive mark is a
/// mapping).
struct FleetCapacity {
  /// `/proc/sys/kernel/pty/max`: ptys the kernel allows at once (nil: unreadable).
  var ptyMax: Int?
  /// `/proc/sys/kernel/pty/nr`: ptys in use now, system-wide.
  var ptyInUse: Int?
  /// `/proc/sys/kernel/pty/reserve`: ptys kept for the initial devpts instance (a container's
  /// own instance may not use them).
  var ptyReserve: Int?
  /// The descriptor limit after raising the soft limit to the hard one.
  var fileLimit: Int

  /// Descriptors per pump: pty master, journal, audit trail.
  static var filesPerPump: Int { 3 }
  /// Descriptors the process needs besides its pumps (standard streams, stop pipe, slack).
  static var filesBesides: Int { 32 }

  /// Reads the limits and raises this process's descriptor soft limit to its hard limit.
  static func current() -> FleetCapacity {
    func read(_ name: String) -> Int? {
      (try? String(contentsOfFile: "/proc/sys/kernel/pty/\(name)", encoding: .utf8))
        .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
    var r = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
    if r.rlim_cur < r.rlim_max {
      r.rlim_cur = r.rlim_max
      setrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
      getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
    }
    let files = r.rlim_cur > rlim_t(Int32.max) ? Int(Int32.max) : Int(r.rlim_cur)
    return FleetCapacity(
      ptyMax: read("max"), ptyInUse: read("nr"), ptyReserve: read("reserve"), fileLimit: files)
  }

  /// Ptys free now (nil: the limits are unreadable).
  var ptysFree: Int? { ptyMax.flatMap { m in ptyInUse.map { max(m - $0, 0) } } }
  /// Pumps the descriptor limit allows.
  var filesAllow: Int { max((fileLimit - Self.filesBesides) / Self.filesPerPump, 0) }

  /// "kernel.pty.max 4096, 12 in use (kernel.pty.nr), 1024 reserved for the initial devpts
  /// instance; open files 20000" — for messages.
  var summary: String {
    var s =
      "kernel.pty.max \(ptyMax.map(String.init) ?? "unknown"), \(ptyInUse.map(String.init) ?? "unknown") in use (kernel.pty.nr)"
    if let r = ptyReserve, r > 0 {
      s += ", \(r) reserved for the initial devpts instance (kernel.pty.reserve)"
    }
    return s + "; open files \(fileLimit) (ulimit -n)"
  }

  /// Why `count` pumps cannot run, or nil if the limits allow them.
  func refusal(count: Int) -> String? {
    if let free = ptysFree, count > free {
      return
        "--count \(count): only \(free) pseudo-terminals are free (\(summary)); raise kernel.pty.max (sysctl -w kernel.pty.max=N) or run fewer pumps"
    }
    if count > filesAllow {
      return
        "--count \(count): the open-file limit allows \(filesAllow) pumps (\(Self.filesPerPump) descriptors each; \(summary)); raise ulimit -n or run fewer pumps"
    }
    return nil
  }
}
