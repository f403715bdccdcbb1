import PumpCore
import PumpProtocol

/// A journal's bytes, checked record by record (pure: no files). Every record's length, CRC-32,
/// kind and record number are checked; the first record must be the header of this pump and
/// version. Damage at the very end (no valid record after it) is a torn write: it is left out
/// (`goodLength`). Damage with a valid record after it is corruption: the journal is refused,
/// because restoring only the part before it would forget real inputs (a granted bolus).
public struct JournalImage: Sendable {
  /// One checked record: number, place, kind and pump time. Its contents are decoded only when
  /// a restore needs them (`record(_:)`): records before the newest snapshot never are.
  public struct Entry: Sendable {
    public var seq: UInt64
    public var offset: Int
    public var length: Int
    /// The record kind byte (`H`, `B`, `I`, `R`, `S`).
    public var kind: UInt8
    /// Pump time of the record (zero for the header).
    public var t: Milliseconds
  }

  public let bytes: [UInt8]
  /// Records after the header, in order.
  public let entries: [Entry]
  public let header: JournalHeader
  /// Bytes of the header record.
  public let headerLength: Int
  /// Bytes up to the end of the last valid record.
  public let goodLength: Int
  /// Bytes of a torn tail that were left out.
  public var discardedBytes: Int { bytes.count - goodLength }
  public let nextSeq: UInt64

  public init(_ bytes: [UInt8], expecting expected: JournalHeader) throws(JournalError) {
    self.bytes = bytes
    if bytes.count >= 2 && bytes[0] == UInt8(ascii: "$") && bytes[1] == UInt8(ascii: "J") {
      throw .version("journal format 1 (CR LF text records), this firmware reads format 2")
    }
    guard let first = Self.check(bytes, at: 0), first.seq == 0,
      first.kind == JournalRecord.headerKind,
      case .header(let h)? = try? JournalRecord.decode(bytes[(4)..<(first.length - 4)]).record
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
    entries.reserveCapacity(bytes.count / 16)
    while offset < bytes.count {
      guard let r = Self.check(bytes, at: offset) else {
        // Torn tail, or damage with real records after it?
        if Self.validRecord(in: bytes, after: offset, seqAbove: seq) {
          throw .corrupt(record: entries.count + 1, "damaged record at byte \(offset)")
        }
        break
      }
      let expectedSeq = seq + 1
      // After a compaction the first record after the header is a snapshot with a later number.
      let compactedStart = entries.isEmpty && r.kind == 0x53 && r.seq > seq
      guard r.seq == expectedSeq || compactedStart else {
        throw .corrupt(
          record: entries.count + 1, "record number \(r.seq) where \(expectedSeq) was expected")
      }
      if r.kind == JournalRecord.headerKind {
        throw .corrupt(record: entries.count + 1, "a second header")
      }
      entries.append(r)
      seq = r.seq
      offset += r.length
    }
    self.entries = entries
    goodLength = offset
    nextSeq = seq + 1
  }

  /// The journal in `bytes` read against its own header (tools and tests that read a journal
  /// they did not write); nil when it has no valid header or does not read.
  public static func reading(_ bytes: [UInt8]) -> JournalImage? {
    guard let first = check(bytes, at: 0), first.kind == JournalRecord.headerKind,
      case .header(let h)? = try? JournalRecord.decode(bytes[4..<(first.length - 4)]).record
    else { return nil }
    return try? JournalImage(bytes, expecting: h)
  }

  /// The contents of entry `i`.
  public func record(_ i: Int) throws(JournalError) -> JournalRecord {
    let e = entries[i]
    do {
      return try JournalRecord.decode(bytes[(e.offset + 4)..<(e.offset + e.length - 4)]).record
    } catch {
      throw .corrupt(record: i + 1, "record \(e.seq) unreadable (\(error))")
    }
  }

  /// The record at `offset` if its length, CRC-32, kind, number and time are valid.
  static func check(_ b: [UInt8], at offset: Int) -> Entry? {
    guard b.count - offset >= 8 else { return nil }
    let n = Int(readLE32(b, at: offset))
    guard n > 1, n <= JournalRecord.maxBody, n <= b.count - offset - 8 else { return nil }
    // Cheap checks first (a resynchronising scan tries every offset): a known kind.
    let kind = b[offset + 4]
    switch kind {
    case 0x42, 0x48, 0x49, 0x52, 0x53: break
    default: return nil
    }
    let body = b[(offset + 4)..<(offset + 4 + n)]
    guard CRC32.checksum(body) == readLE32(b, at: offset + 4 + n) else { return nil }
    var r = SnapshotReader(b, position: offset + 5)
    guard let seq = try? r.unsigned() else { return nil }
    var t = Milliseconds.zero
    if kind != JournalRecord.headerKind {
      guard let v = try? r.ms() else { return nil }
      t = v
    }
    guard r.position <= offset + 4 + n else { return nil }
    return Entry(seq: seq, offset: offset, length: n + 8, kind: kind, t: t)
  }

  /// True when a valid record numbered above `seqAbove` starts anywhere after `offset`.
  static func validRecord(in b: [UInt8], after offset: Int, seqAbove: UInt64) -> Bool {
    var o = offset + 1
    while o + 8 <= b.count {
      if let r = check(b, at: o), r.seq > seqAbove { return true }
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
    if let i = entries.lastIndex(where: { $0.kind == 0x53 }),
      case .snapshot(let t, let bytes) = try image.record(i)
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
    for n in start..<entries.count {
      switch try image.record(n) {
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
            record: n + 1,
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
