import PumpCore
import PumpProtocol

/// A journal's bytes, checked record by record (pure: no files). Every record's length, CRC-32,
/// kind and record number are checked; the first record must be the header of this pump and
/// version. Damage at the very end (no valid record after it) is a torn write: it is left out
/// (`goodLength`). Damage with a valid record after it is corruption: the journal is refused,
/// because restoring only the part before it would forget real inputs (a granted bolus).
public struct JournalImage: Sendable {
  public struct Entry: Sendable {
    public var seq: UInt64
    public var offset: Int
    public var record: JournalRecord
  }

  /// Records after the header, in order.
  public let entries: [Entry]
  public let header: JournalHeader
  /// Bytes of the header record.
  public let headerLength: Int
  /// Bytes up to the end of the last valid record.
  public let goodLength: Int
  /// Bytes of a torn tail that were left out.
  public var discardedBytes: Int { total - goodLength }
  public let total: Int
  public let nextSeq: UInt64

  public init(_ bytes: [UInt8], expecting expected: JournalHeader) throws(JournalError) {
    total = bytes.count
    if bytes.count >= 2 && bytes[0] == UInt8(ascii: "$") && bytes[1] == UInt8(ascii: "J") {
      throw .version("journal format 1 (CR LF text records), this firmware reads format 2")
    }
    guard let first = Self.record(in: bytes, at: 0), first.seq == 0,
      case .header(let h) = first.record
    else {
      throw .corrupt(record: 0, "no valid header record")
    }
    if let why = expected.versionMismatch(h) { throw .version(why) }
    if let why = expected.mismatch(h) { throw .foreign(why) }
    header = h
    headerLength = first.length
    var offset = first.length
    var seq: UInt64 = 0
    var entries: [Entry] = []
    while offset < bytes.count {
      guard let r = Self.record(in: bytes, at: offset) else {
        // Torn tail, or damage with real records after it?
        if Self.validRecord(in: bytes, after: offset, seqAbove: seq) {
          throw .corrupt(record: entries.count + 1, "damaged record at byte \(offset)")
        }
        break
      }
      let expectedSeq = seq + 1
      // After a compaction the first record after the header is a snapshot with a later number.
      var compactedStart = false
      if entries.isEmpty, case .snapshot = r.record { compactedStart = r.seq > seq }
      guard r.seq == expectedSeq || compactedStart else {
        throw .corrupt(
          record: entries.count + 1, "record number \(r.seq) where \(expectedSeq) was expected")
      }
      if case .header = r.record {
        throw .corrupt(record: entries.count + 1, "a second header")
      }
      entries.append(Entry(seq: r.seq, offset: offset, record: r.record))
      seq = r.seq
      offset += r.length
    }
    self.entries = entries
    goodLength = offset
    nextSeq = seq + 1
  }

  /// The record at `offset`, if its length, CRC and contents are valid.
  static func record(in b: [UInt8], at offset: Int) -> (
    seq: UInt64, record: JournalRecord, length: Int
  )? {
    guard b.count - offset >= 8 else { return nil }
    let n = Int(readLE32(b, at: offset))
    guard n > 1, n <= JournalRecord.maxBody, n <= b.count - offset - 8 else { return nil }
    // Cheap checks first (a resynchronising scan tries every offset): a known kind.
    switch b[offset + 4] {
    case 0x42, 0x48, 0x49, 0x52, 0x53: break
    default: return nil
    }
    let body = b[(offset + 4)..<(offset + 4 + n)]
    guard CRC32.checksum(body) == readLE32(b, at: offset + 4 + n) else { return nil }
    guard let d = try? JournalRecord.decode(body) else { return nil }
    return (d.seq, d.record, n + 8)
  }

  /// True when a valid record numbered above `seqAbove` starts anywhere after `offset`.
  static func validRecord(in b: [UInt8], after offset: Int, seqAbove: UInt64) -> Bool {
    var o = offset + 1
    while o + 8 <= b.count {
      if let r = record(in: b, at: o), r.seq > seqAbove { return true }
      o += 1
    }
    return false
  }
}

/// Rebuilds the machine from a journal image (pure): the newest snapshot, then every record
/// after it through the same `PumpMachine` calls the live pump made. An input's journaled result
/// must come out again, or the restore is refused (never a different past).
public enum JournalRestore {
  public struct Restored: Sendable {
    public var machine: PumpMachine
    /// The time of the last record.
    public var lastTime: Milliseconds
    /// Records applied after the snapshot.
    public var replayed: Int
  }

  public static func restore(
    _ image: JournalImage, profile: HardwareProfile, formulary: Formulary
  ) throws(JournalError) -> Restored {
    let entries = image.entries
    var start = 0
    var machine = PumpMachine(profile: profile, formulary: formulary, now: .zero)
    var lastTime = Milliseconds.zero
    if let i = entries.lastIndex(where: { if case .snapshot = $0.record { true } else { false } }),
      case .snapshot(let t, let bytes) = entries[i].record
    {
      do {
        machine = try PumpMachine(restoring: bytes, profile: profile, formulary: formulary)
      } catch {
        throw .corrupt(record: i + 1, "snapshot unreadable (\(error))")
      }
      start = i + 1
      lastTime = t
    }
    var last: (input: FirmwareInput, result: CommandResult)? = nil
    var replayed = 0
    for (n, e) in entries[start...].enumerated() {
      switch e.record {
      case .header: break
      case .snapshot: break
      case .boot(let at, let lost, _):
        if let lost { machine.powerCycle(lostAt: lost, restoredAt: at) }
        lastTime = max(lastTime, at)
      case .input(let at, let input):
        last = (input, machine.apply(input, at: at))
        lastTime = max(lastTime, at)
      case .result(let at, let expected):
        guard let l = last, JournalResult(l.result) == expected else {
          throw .corrupt(
            record: start + n + 1,
            "restoring gives \(last.map { "\(JournalResult($0.result))" } ?? "no input") where the pump answered \(expected)"
          )
        }
        last = nil
        lastTime = max(lastTime, at)
      }
      _ = machine.drainEffects()
      replayed += 1
    }
    return Restored(machine: machine, lastTime: lastTime, replayed: replayed)
  }
}
