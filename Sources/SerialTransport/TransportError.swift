import SystemPackage

/// Every way the serial transport can fail, with the path and the errno where there is one.
///
/// Errors are values: `Equatable` so tests can match them exactly, `Sendable` so they cross
/// tasks, and `CustomStringConvertible` with a sentence a user can act on.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `openpty(3)` failed (e.g. `EMFILE`, or no ptys left: `ENOENT`).
  case ptyUnavailable(Errno)
  /// `open(2)` of a tty failed (`ENOENT`: no such port, `EACCES`: not in group dialout, ...).
  case openFailed(path: String, Errno)
  /// The path opened, but is not a terminal (`isatty` is false).
  case notATerminal(path: String)
  /// Another process holds the port (`flock` `EWOULDBLOCK`, or `EBUSY` from `TIOCEXCL`).
  case busy(path: String)
  /// A `termios` call (`tcgetattr`, `tcsetattr`, `cfsetspeed`) failed on the port.
  case termios(path: String, Errno)
  /// The baud rate is not one of `LineSettings.standardBauds`.
  case unsupportedBaud(Int)
  /// Data bits must be 5, 6, 7 or 8.
  case unsupportedDataBits(Int)
  /// Stop bits must be 1 or 2.
  case unsupportedStopBits(Int)
  /// A framing string such as `8N1` could not be parsed.
  case badFraming(String)
  /// A port name may only use letters, digits, `.`, `_` and `-`, and must not start with `.`.
  case invalidName(String)
  /// The run directory could not be created or is not a directory.
  case runDirectory(path: String, Errno)
  /// A run-directory record could not be written or removed.
  case record(path: String, Errno)
  /// A port with this name is already served by a live process.
  case nameInUse(name: String, pid: Int32)
  /// The link path exists and is not a symlink: it is never replaced.
  case linkPathOccupied(path: String)
  /// The link points to a port that is alive (a live owner, or a device that exists and no
  /// KetaPump record says is stale): it is never replaced.
  case linkInUse(path: String, target: String, pid: Int32?)
  /// Creating the symlink (temporary link + `rename(2)`) failed.
  case linkFailed(path: String, Errno)
  /// `poll(2)` failed for a reason other than `EINTR`.
  case pollFailed(Errno)
  /// A read or write failed with an errno the transport does not map to an outcome.
  case io(path: String, Errno)
  /// The path did not appear within the timeout (milliseconds).
  case timedOut(path: String, milliseconds: Int)
  /// The connection or port was closed by this process.
  case closed(path: String)

  public var description: String {
    switch self {
    case .ptyUnavailable(let e): return "cannot create a pseudo-terminal: \(e)"
    case .openFailed(let p, let e): return "cannot open \(p): \(e)"
    case .notATerminal(let p): return "\(p) is not a terminal (tty)"
    case .busy(let p): return "\(p) is busy: another process has it open exclusively"
    case .termios(let p, let e): return "cannot configure \(p) (termios): \(e)"
    case .unsupportedBaud(let b):
      return
        "unsupported baud rate \(b); use one of \(LineSettings.standardBauds.map(String.init).joined(separator: ", "))"
    case .unsupportedDataBits(let d): return "unsupported data bits \(d); use 5, 6, 7 or 8"
    case .unsupportedStopBits(let s): return "unsupported stop bits \(s); use 1 or 2"
    case .badFraming(let f): return "bad framing '\(f)'; expected e.g. 8N1, 7E1, 8O2"
    case .invalidName(let n):
      return "invalid port name '\(n)'; use letters, digits, '.', '_', '-' (not starting with '.')"
    case .runDirectory(let p, let e): return "run directory \(p) unusable: \(e)"
    case .record(let p, let e): return "cannot write or remove the port record \(p): \(e)"
    case .nameInUse(let n, let pid): return "port name '\(n)' is in use by live process \(pid)"
    case .linkPathOccupied(let p): return "\(p) exists and is not a symlink; refusing to replace it"
    case .linkInUse(let p, let t, let pid):
      let owner = pid.map { "live process \($0)" } ?? "a device that exists"
      return "\(p) -> \(t) belongs to \(owner); refusing to replace it"
    case .linkFailed(let p, let e): return "cannot create the symlink \(p): \(e)"
    case .pollFailed(let e): return "poll failed: \(e)"
    case .io(let p, let e): return "I/O error on \(p): \(e)"
    case .timedOut(let p, let ms): return "\(p) did not appear within \(ms) ms"
    case .closed(let p): return "\(p) is closed"
    }
  }
}
