import PumpCore
import PumpProtocol

/// Where journal records go. `Journal` is the file (the shell's NV memory); `MemoryJournal` keeps
/// the same bytes in memory (tests; an MCU port would add its flash driver). Used as a generic
/// parameter, never as an existential: `Firmware` runs `JournaledMachine<Journal>`.
public protocol JournalStorage: AnyObject {
  /// Appends one record, numbering it.
  func append(_ record: JournalRecord) throws(JournalError)
}

extension Journal: JournalStorage {}

/// A journal in memory: the header and the records exactly as `Journal` writes them to the file.
public final class MemoryJournal: JournalStorage {
  public private(set) var bytes: [UInt8]
  private var nextSeq: UInt64 = 1

  public init(header: JournalHeader) { bytes = JournalRecord.header(header).frame(seq: 0) }

  public func append(_ record: JournalRecord) {
    bytes += record.frame(seq: nextSeq)
    nextSeq += 1
  }
}

/// The pure firmware machine: inputs → controller (on its rig) → journal records → results.
/// No files, ptys or clocks: time is passed in, records go to `Storage`. `Firmware` (the shell)
/// adds sessions, the clock, the alive mark and the loop around it.
///
/// Write-ahead: an input is journaled before it is applied, its result right after. Snapshots on
/// every mode change, every `snapshotInterval` of pump time while records arrive, and after at
/// most `snapshotEveryRecords` records (docs/FIRMWARE.md "Journal").
public struct JournaledMachine<Storage: JournalStorage> {
  public static var snapshotInterval: Milliseconds { .minutes(10) }
  public static var snapshotEveryRecords: Int { 1000 }

  public var machine: PumpMachine
  /// Nil when the pump runs without a journal (it was refused: the pump is in fault).
  public let storage: Storage?
  private var lastSnapshot: (t: Milliseconds, mode: Mode, records: Int) = (.zero, .selfTest, 0)
  private var recordsWritten = 0
  private var hasSnapshot = false

  public init(machine: PumpMachine, storage: Storage?) {
    self.machine = machine
    self.storage = storage
  }

  /// Journals `input`, applies it at `t`, journals the result, then snapshots if due. If the
  /// journal cannot be written the input is refused and the pump faults (it never runs on a
  /// state it could not rebuild); the error is returned for the log.
  public mutating func record(_ input: FirmwareInput, at t: Milliseconds) -> (
    CommandResult, JournalError?
  ) {
    guard let storage else { return (machine.apply(input, at: t), nil) }
    let result: CommandResult
    do {
      try storage.append(.input(at: t, input))
      result = machine.apply(input, at: t)
      try storage.append(.result(at: t, JournalResult(result)))
      recordsWritten += 2
    } catch {
      machine.apply(.fault(.journal), at: t)
      return (.rejected(.faulted), error)
    }
    return (result, snapshotIfDue(at: t))
  }

  /// A snapshot of the machine as it is now.
  public mutating func writeSnapshot(at t: Milliseconds) throws(JournalError) {
    guard let storage else { return }
    try storage.append(.snapshot(at: t, machine.snapshotBytes()))
    lastSnapshot = (t, machine.controller.mode, recordsWritten)
    hasSnapshot = true
  }

  /// True when records were written since the last snapshot (or there is none).
  public var snapshotOutdated: Bool { !hasSnapshot || lastSnapshot.records != recordsWritten }

  /// Writes a snapshot when one is due; a failed write faults the pump (the error is returned).
  @discardableResult
  public mutating func snapshotIfDue(at t: Milliseconds) -> JournalError? {
    guard storage != nil else { return nil }
    let records = recordsWritten - lastSnapshot.records
    let due =
      machine.controller.mode != lastSnapshot.mode
      || (records > 0 && t - lastSnapshot.t >= Self.snapshotInterval)
      || records >= Self.snapshotEveryRecords
    guard due else { return nil }
    do {
      try writeSnapshot(at: t)
    } catch {
      machine.apply(.fault(.journal), at: t)
      return error
    }
    return nil
  }
}
