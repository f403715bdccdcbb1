#if canImport(Glibc)
  import Glibc
#endif

/// Writes a serial session's raw traffic to a file, one line per frame or console line:
///
///     +0.000 TX $HELLO,1,1.0*D992\r\n  | HELLO #1 1.0
///     +0.004 RX $ACK,1,HELLO,KP-0001,0.2.0,1.0,syringe-pca-60ml,001F*…\r\n  | ACK #1 HELLO …
///
/// Time is seconds since the log was opened, with millisecond resolution; `TX` is host → device,
/// `RX` device → host; the raw bytes are hex-escaped (`FrameText.escaped`) with MACs and proofs
/// redacted; the decoded frame follows `|`. Notes (link lost, reconnect) are `#` lines. Keys and
/// MACs are never written. The file is created with mode 0600 and replaced if it exists.
public final class TrafficLog {
  /// Why the log file cannot be written.
  public struct OpenError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String {
      "cannot write log file \(path): \(String(cString: strerror(errno)))"
    }
  }

  private var fd: Int32
  private let start: Int64
  private var pending: [Bool: (at: Int64, bytes: [UInt8])] = [:]
  /// Lines written so far (frames, console lines and notes).
  public private(set) var lines = 0

  /// Creates (or truncates) `path` and writes a `#` header line.
  public init(path: String, header: String) throws(OpenError) {
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw OpenError(path: path, errno: errno) }
    start = monotonic()
    write("# pumpmon traffic log: \(header)")
    write("# time (s since open) direction raw-bytes | decoded; MACs and proofs redacted")
  }

  deinit { close() }

  /// Records bytes sent (`sent`) or received; complete lines are written at once, a partial
  /// line waits for its line end (or `flush`).
  public func record(sent: Bool, bytes: [UInt8]) {
    let now = monotonic()
    var cur = pending[sent] ?? (now, [])
    for b in bytes {
      if cur.bytes.isEmpty { cur.at = now }
      cur.bytes.append(b)
      if b == 0x0A || cur.bytes.count >= 512 {
        emit(sent: sent, at: cur.at, cur.bytes)
        cur.bytes.removeAll(keepingCapacity: true)
      }
    }
    pending[sent] = cur
  }

  /// Writes `# +t text` (link state changes, reconnects).
  public func note(_ text: String) {
    write("# \(stamp(monotonic())) \(text)")
  }

  /// Writes partial lines still waiting for their end.
  public func flush() {
    for sent in [true, false] {
      if let p = pending[sent], !p.bytes.isEmpty { emit(sent: sent, at: p.at, p.bytes) }
      pending[sent] = nil
    }
  }

  /// Flushes and closes. Idempotent.
  public func close() {
    guard fd >= 0 else { return }
    flush()
    Glibc.close(fd)
    fd = -1
  }

  private func emit(sent: Bool, at: Int64, _ bytes: [UInt8]) {
    let raw = FrameText.escaped(bytes)
    let decoded = FrameText.decoded(bytes)
    write("\(stamp(at)) \(sent ? "TX" : "RX") \(raw)  | \(decoded)")
  }

  private func stamp(_ at: Int64) -> String {
    let ms = max(at - start, 0)
    let frac = ms % 1000
    return "+\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)"
  }

  private func write(_ line: String) {
    guard fd >= 0 else { return }
    var bytes = Array((line + "\n").utf8)
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      off += n
    }
    lines += 1
    _ = bytes.count
  }
}
