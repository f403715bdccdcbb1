import PumpCore
import PumpProtocol
import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The pump's non-volatile memory, the file side (the shell): `journal.kpj` (format 2,
/// `JournalRecord`) and the A/B "alive" clock (`clock.kpc`, memory-mapped) holding the last
/// instant the control loop ran. What the bytes mean, and how a restart rebuilds the machine
/// from them, is pure (`JournalImage`, `JournalRestore`): testable without files.
///
/// Writes are plain `write(2)`s and stores into a shared mapping: both survive the death of the
/// process (the kernel holds the pages). Compaction rewrites the file atomically (temporary file,
/// fsync, rename): records before the newest snapshot that is older than the 4-h dose window
/// go, so the file stays bounded (docs/FIRMWARE.md "Journal").
public final class Journal {
  public static let journalFileName = "journal.kpj"
  public static let clockFileName = "clock.kpc"
  /// Compaction runs when at least this many bytes precede the snapshot it can cut at.
  public static let compactionThreshold = 256 * 1024
  /// Records before a snapshot stay while they are inside this window (the dose windows' span).
  public static let keepWindow = Milliseconds(DoseLedger.window4h)

  public let directory: String
  private var fd: FileDescriptor
  private var nextSeq: UInt64
  private let clock: AliveClock
  private let headerBytes: [UInt8]
  /// Bytes in the file, and the snapshots in it (offset, time) oldest first.
  public private(set) var length: Int
  private var snapshots: [(offset: Int, t: Milliseconds)]
  /// A torn tail waits to be cut by the next write.
  private var pendingCut = false
  /// Compactions done since open (for tests and benchmarks).
  public private(set) var compactions = 0

  /// What an existing journal held.
  public struct Contents: Sendable {
    public var image: JournalImage
    /// The last instant the previous run was known alive (virtual ms, wall ms).
    public var lastAlive: (t: Milliseconds, wallMillis: Int64)?
  }

  private var path: String { "\(directory)/\(Journal.journalFileName)" }

  /// Opens the journal in `directory` (created with mode 0700 if missing) for a pump described
  /// by `header`. A torn last record is cut off; damage before it, another version or another
  /// pump throws (`corrupt`, `version`, `foreign`) with the file untouched.
  public init(directory: String, header: JournalHeader) throws(JournalError) {
    self.directory = directory
    try Journal.makeDirectory(directory)
    let path = "\(directory)/\(Journal.journalFileName)"
    let existing = try Journal.readFile(path)
    var image: JournalImage? = nil
    if let bytes = existing, !bytes.isEmpty {
      image = try JournalImage(bytes, expecting: header)
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
    // A torn tail is cut only by the first write after a successful restore, so a journal the
    // restore refuses stays untouched.
    do { _ = try opened.seek(offset: Int64(image?.goodLength ?? 0), from: .start) } catch {
      throw .io(path: path, errno: errnoValue(error), "cannot seek")
    }
    pendingCut = (image?.discardedBytes ?? 0) > 0
    clock = try AliveClock(path: "\(directory)/\(Journal.clockFileName)")
    if let i = image {
      nextSeq = i.nextSeq
      length = i.goodLength
      headerBytes = Array(existing![0..<i.headerLength])
      snapshots = i.entries.filter { $0.kind == 0x53 }.map { ($0.offset, $0.t) }
      contents = Contents(image: i, lastAlive: clock.read())
    } else {
      nextSeq = 0
      length = 0
      snapshots = []
      headerBytes = JournalRecord.header(header).frame(seq: 0)
      contents = nil
      try write(headerBytes)
      nextSeq = 1
    }
  }

  /// The previous run's journal (nil for a new journal); taken once by the restore.
  public private(set) var contents: Contents?

  public func takeContents() -> Contents? {
    defer { contents = nil }
    return contents
  }

  /// Appends one record (one `write(2)`).
  public func append(_ record: JournalRecord) throws(JournalError) {
    let offset = length
    try write(record.frame(seq: nextSeq))
    nextSeq &+= 1
    if case .snapshot(let t, _) = record {
      snapshots.append((offset, t))
      try compactIfDue(now: t)
    }
  }

  private func write(_ bytes: [UInt8]) throws(JournalError) {
    if pendingCut {
      guard ftruncate(fd.rawValue, off_t(length)) == 0 else {
        throw .io(path: path, errno: errno, "cannot cut the torn last record")
      }
      pendingCut = false
    }
    do {
      _ = try fd.writeAll(bytes)
    } catch {
      throw .io(path: path, errno: errnoValue(error), "write failed")
    }
    length += bytes.count
  }

  /// Cuts at the newest snapshot taken before the dose window (`keepWindow`) when enough bytes
  /// precede it: header + everything from that snapshot on go to a temporary file, which is
  /// synced and renamed over the journal (atomic: a crash leaves the old or the new file).
  private func compactIfDue(now: Milliseconds) throws(JournalError) {
    guard let cut = snapshots.lastIndex(where: { now - $0.t >= Journal.keepWindow }) else {
      return
    }
    let offset = snapshots[cut].offset
    guard offset - headerBytes.count >= Journal.compactionThreshold else { return }
    guard let bytes = try Journal.readFile(path), bytes.count == length else {
      throw .io(path: path, errno: EIO, "journal changed under the pump")
    }
    let tmp = path + ".tmp"
    var out = headerBytes
    out += bytes[offset...]
    do {
      let f = try FileDescriptor.open(
        FilePath(tmp), .writeOnly, options: [.create, .truncate, .closeOnExec],
        permissions: [.ownerReadWrite])
      defer { try? f.close() }
      _ = try f.writeAll(out)
      guard fsync(f.rawValue) == 0 else { throw Errno(rawValue: errno) }
    } catch {
      unlink(tmp)
      throw .io(path: tmp, errno: errnoValue(error), "cannot write compacted journal")
    }
    guard rename(tmp, path) == 0 else {
      throw .io(path: path, errno: errno, "cannot replace journal")
    }
    let dirFd = open(directory, O_RDONLY | O_CLOEXEC)
    if dirFd >= 0 {
      _ = fsync(dirFd)
      close(dirFd)
    }
    let reopened: FileDescriptor
    do {
      reopened = try FileDescriptor.open(
        FilePath(path), .readWrite, options: [.closeOnExec], permissions: [.ownerReadWrite])
      _ = try reopened.seek(offset: 0, from: .end)
    } catch {
      throw .io(path: path, errno: errnoValue(error), "cannot reopen journal")
    }
    try? fd.close()
    fd = reopened
    let shift = offset - headerBytes.count
    snapshots = snapshots[cut...].map { ($0.offset - shift, $0.t) }
    length = out.count
    compactions += 1
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
}

/// The errno a swift-system call failed with (-1 when the error is not an `Errno`).
func errnoValue(_ error: any Error) -> Int32 { (error as? Errno)?.rawValue ?? -1 }
