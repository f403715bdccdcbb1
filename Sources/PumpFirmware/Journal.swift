import PumpCore
import PumpProtocol
import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The pump's non-volatile memory: an append-only journal of every `FirmwareInput` with its
/// virtual time (`journal.kpj`), and an A/B "alive" clock (`clock.kpc`, memory-mapped) holding
/// the last instant the control loop ran. A restart replays the journal up to that instant, so
/// a kill -9 at any moment loses at most the last tick (docs/FIRMWARE.md "Journal").
///
/// Writes are plain `write(2)`s and stores into a shared mapping: both survive the death of the
/// process (the kernel holds the pages). A torn last record fails its CRC and is cut off; damage
/// anywhere before it, or a journal of another pump, is refused and left untouched.
public final class Journal {
  public static let journalFileName = "journal.kpj"
  public static let clockFileName = "clock.kpc"

  public let directory: String
  private let fd: FileDescriptor
  private var nextSeq: UInt32
  private let clock: AliveClock

  /// What an existing journal held.
  public struct Contents: Sendable {
    /// Records after the header, in order.
    public var records: [JournalRecord]
    /// The last instant the previous run was known alive (virtual ms, wall ms).
    public var lastAlive: (t: Milliseconds, wallMillis: Int64)?
    /// Bytes of a torn last record that were cut off.
    public var discardedBytes: Int
  }

  /// Opens the journal in `directory` (created with mode 0700 if missing) for a pump described
  /// by `header`. Returns nil contents for a new journal.
  public init(directory: String, header: JournalHeader) throws(JournalError) {
    self.directory = directory
    try Journal.makeDirectory(directory)
    let path = "\(directory)/\(Journal.journalFileName)"
    let existing = try Journal.readFile(path)
    var contents: Contents? = nil
    var goodLength = 0
    var seq: UInt32 = 0
    if let bytes = existing, !bytes.isEmpty {
      let parsed = try Journal.parse(bytes, expecting: header)
      contents = Contents(
        records: parsed.records, lastAlive: nil, discardedBytes: bytes.count - parsed.goodLength)
      goodLength = parsed.goodLength
      seq = parsed.nextSeq
    }
    let opened: FileDescriptor
    do {
      opened = try FileDescriptor.open(
        FilePath(path), .readWrite, options: [.create, .closeOnExec],
        permissions: [.ownerReadWrite])
    } catch {
      throw .io(path: path, errno: errnoValue(error), "cannot open journal")
    }
    fd = opened
    if let c = contents, c.discardedBytes > 0, ftruncate(opened.rawValue, off_t(goodLength)) != 0 {
      throw .io(path: path, errno: errno, "cannot cut the torn last record")
    }
    do { _ = try opened.seek(offset: 0, from: .end) } catch {
      throw .io(path: path, errno: errnoValue(error), "cannot seek")
    }
    nextSeq = seq
    clock = try AliveClock(path: "\(directory)/\(Journal.clockFileName)")
    contents?.lastAlive = clock.read()
    self.contents = contents
    if contents == nil { try append(.header(header)) }
  }

  /// The previous run's records (nil for a new journal); taken once by the restore.
  public private(set) var contents: Contents?

  public func takeContents() -> Contents? {
    defer { contents = nil }
    return contents
  }

  /// Appends one record (one `write(2)`).
  public func append(_ record: JournalRecord) throws(JournalError) {
    let bytes = try record.frame(seq: nextSeq)
    do {
      _ = try fd.writeAll(bytes)
    } catch {
      throw .io(
        path: "\(directory)/\(Journal.journalFileName)", errno: errnoValue(error), "write failed")
    }
    nextSeq &+= 1
  }

  /// Records that the loop ran at virtual time `t` (a store into the mapped clock file).
  public func markAlive(_ t: Milliseconds, wallMillis: Int64) {
    clock.write(t: t, wallMillis: wallMillis)
  }

  /// Forces journal and clock to the device (clean shutdown).
  public func sync() {
    _ = fsync(fd.rawValue)
    clock.sync()
  }

  deinit { try? fd.close() }

  // MARK: Reading

  private static func makeDirectory(_ dir: String) throws(JournalError) {
    var st = stat()
    if stat(dir, &st) == 0 {
      guard (st.st_mode & S_IFMT) == S_IFDIR else {
        throw .io(path: dir, errno: ENOTDIR, "state directory is not a directory")
      }
    } else {
      var path = ""
      for part in dir.split(separator: "/", omittingEmptySubsequences: false) {
        path += (path.isEmpty && dir.hasPrefix("/") ? "" : (path.isEmpty ? "" : "/")) + part
        if path.isEmpty {
          path = "/"
          continue
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
          throw .io(path: path, errno: errno, "cannot create state directory")
        }
      }
    }
    if access(dir, W_OK | X_OK) != 0 {
      throw .io(path: dir, errno: errno, "state directory is not writable")
    }
  }

  static func readFile(_ path: String) throws(JournalError) -> [UInt8]? {
    let f = open(path, O_RDONLY | O_CLOEXEC)
    if f < 0 {
      if errno == ENOENT { return nil }
      throw .io(path: path, errno: errno, "cannot read journal")
    }
    defer { close(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buf.withUnsafeMutableBytes { read(f, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .io(path: path, errno: errno, "cannot read journal")
      }
      if n == 0 { break }
      out.append(contentsOf: buf[0..<n])
    }
    return out
  }

  /// Splits into CR LF lines; every complete line must be a valid record in sequence. Only the
  /// last line may be damaged (a torn write): it is left out of `goodLength`.
  static func parse(_ bytes: [UInt8], expecting header: JournalHeader) throws(JournalError) -> (
    records: [JournalRecord], goodLength: Int, nextSeq: UInt32
  ) {
    var records: [JournalRecord] = []
    var start = 0
    var line = 0
    var seq: UInt32 = 0
    var good = 0
    while start < bytes.count {
      line += 1
      guard let lf = bytes[start...].firstIndex(of: 0x0A) else { break }  // torn: no LF
      let frameBytes = bytes[start...lf]
      let isLast = lf + 1 >= bytes.count
      var decoder = FrameDecoder()
      let frames = decoder.decodeAll(frameBytes)
      guard frames.count == 1, case .framed(let body) = frames[0] else {
        if isLast { break }
        throw .corrupt(line: line, "checksum or framing error")
      }
      let parsed: (seq: UInt32, record: JournalRecord)
      do {
        parsed = try JournalRecord.parse(body, line: line)
      } catch {
        if isLast { break }
        throw error
      }
      guard parsed.seq == seq else {
        throw .corrupt(line: line, "record \(parsed.seq) where \(seq) was expected")
      }
      if seq == 0 {
        guard case .header(let h) = parsed.record else {
          throw .corrupt(line: line, "first record is not a header")
        }
        if let why = header.mismatch(h) { throw .foreign(why) }
      } else {
        if case .header = parsed.record { throw .corrupt(line: line, "second header") }
        records.append(parsed.record)
      }
      seq &+= 1
      start = lf + 1
      good = start
    }
    if seq == 0 { throw .corrupt(line: 1, "no valid header") }
    return (records, good, seq)
  }
}

/// The errno a swift-system call failed with (-1 when the error is not an `Errno`).
func errnoValue(_ error: any Error) -> Int32 { (error as? Errno)?.rawValue ?? -1 }
