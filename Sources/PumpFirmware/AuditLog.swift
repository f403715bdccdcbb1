import PumpCore
import PumpProtocol
import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// The pump's non-volatile audit trail (`audit.kpa` beside the journal): every login, failed
/// login, back-off, privileged command (accepted or refused), console attempt and session end,
/// as `AuditRecord`s. Readable over the wire with `AUDIT` (clinician, service) and with
/// `pumpmon audit`.
///
/// One record per line, `$AU,<index>,<schema 1>,<time>,<role>,<command>,<seq>,<outcome>,<reason>*CRC`
/// (the frame codec of docs/PROTOCOL.md §2: CRC-16/CCITT-FALSE per record). Each record is one
/// `write(2)`, so it survives kill -9 (the kernel holds the page); a torn last record fails its
/// CRC and is cut at the next start; a damaged record elsewhere is skipped and counted, never
/// fatal: the pump must run without its audit trail rather than stop a therapy. Bounded: when
/// the file holds twice `capacity` records, the newest `capacity` are rewritten to a new file
/// that atomically replaces it.
public final class AuditLog {
  public static let fileName = "audit.kpa"
  /// Records kept (Open PCA keeps 1500 event records; REFERENCE.md).
  public static let defaultCapacity = 1500
  static let schema: Int64 = 1

  public let path: String
  public let capacity: Int
  /// The newest records, oldest first (at most `capacity`).
  public private(set) var records: [AuditRecord] = []
  /// Records skipped at start-up because their CRC or fields were damaged (a torn last record
  /// is not counted: it is expected after a kill -9 mid-write).
  public private(set) var damagedRecords = 0
  /// The last write error, if any (the log keeps the records in memory meanwhile).
  public private(set) var lastError: String?
  private var fd: FileDescriptor?
  private var fileRecords = 0
  private var nextIndex: UInt32 = 0

  /// Opens (or creates, mode 0600) the audit log in `directory`, which must exist.
  public init(directory: String, capacity: Int = AuditLog.defaultCapacity) {
    path = "\(directory)/\(AuditLog.fileName)"
    self.capacity = max(capacity, 1)
    var keepLength = 0
    do {
      if let bytes = try Journal.readFile(path) { keepLength = load(bytes) }
      let opened = try FileDescriptor.open(
        FilePath(path), .readWrite, options: [.create, .closeOnExec],
        permissions: [.ownerReadWrite])
      if ftruncate(opened.rawValue, off_t(keepLength)) != 0 {
        lastError = "cannot cut a torn record (errno \(errno))"
      }
      _ = try opened.seek(offset: 0, from: .end)
      fd = opened
    } catch {
      lastError = "\(error)"
    }
  }

  deinit { try? fd?.close() }

  /// Appends a record: kept in memory and written at once.
  public func append(_ record: AuditRecord) {
    records.append(record)
    if records.count > capacity { records.removeFirst(records.count - capacity) }
    guard let fd else { return }
    do {
      _ = try fd.writeAll(encode(record, index: nextIndex))
      nextIndex &+= 1
      fileRecords += 1
      if fileRecords >= 2 * capacity { compact() }
    } catch {
      lastError = "write failed: \(error)"
    }
  }

  /// The record `back` places from the newest (0 = newest).
  public func entry(back: Int) -> AuditEntry? {
    guard back >= 0, back < records.count else { return nil }
    return AuditEntry(
      back: back, available: records.count, record: records[records.count - 1 - back])
  }

  /// Forces the file to the device (clean shutdown).
  public func sync() {
    if let fd { _ = fsync(fd.rawValue) }
  }

  // MARK: Internals

  func encode(_ r: AuditRecord, index: UInt32) -> [UInt8] {
    var w = FieldWriter(kind: "AU", seq: index)
    w.int(Self.schema)
    r.encodeFields(into: &w)
    return (try? FrameEncoder.frame(body: w.bytes)) ?? []
  }

  /// Loads the records of an existing file; returns the length to keep (a torn tail is cut).
  private func load(_ bytes: [UInt8]) -> Int {
    var start = 0
    var keep = 0
    while start < bytes.count {
      guard let lf = bytes[start...].firstIndex(of: 0x0A) else { break }  // torn: no LF
      var decoder = FrameDecoder()
      let frames = decoder.decodeAll(bytes[start...lf])
      let isLast = lf + 1 >= bytes.count
      if frames.count == 1, case .framed(let body) = frames[0], let f = try? ParsedFrame(body),
        f.kind == "AU", let r = Self.record(f)
      {
        records.append(r)
        nextIndex = f.seq &+ 1
        fileRecords += 1
      } else if !isLast {
        damagedRecords += 1
      } else {
        break  // a torn last record
      }
      start = lf + 1
      keep = start
    }
    if records.count > capacity { records.removeFirst(records.count - capacity) }
    return keep
  }

  private static func record(_ f: ParsedFrame) -> AuditRecord? {
    var r = FieldReader(f.fields)
    guard (try? r.int("schema", 1...1)) == schema,
      let record = try? AuditRecord(reading: &r), (try? r.end()) != nil
    else { return nil }
    return record
  }

  /// Rewrites the newest `capacity` records to `<path>.new`, syncs it and renames it over the
  /// log: a crash at any point leaves either the old file or the new one, whole.
  private func compact() {
    let tmp = path + ".new"
    var bytes: [UInt8] = []
    var index = nextIndex &- UInt32(records.count)
    for r in records {
      bytes += encode(r, index: index)
      index &+= 1
    }
    do {
      let t = try FileDescriptor.open(
        FilePath(tmp), .writeOnly, options: [.create, .truncate, .closeOnExec],
        permissions: [.ownerReadWrite])
      _ = try t.writeAll(bytes)
      _ = fsync(t.rawValue)
      try t.close()
      guard rename(tmp, path) == 0 else {
        lastError = "compaction rename failed (errno \(errno))"
        return
      }
      try fd?.close()
      let reopened = try FileDescriptor.open(
        FilePath(path), .readWrite, options: [.closeOnExec], permissions: [.ownerReadWrite])
      _ = try reopened.seek(offset: 0, from: .end)
      fd = reopened
      fileRecords = records.count
    } catch {
      lastError = "compaction failed: \(error)"
    }
  }
}
