import PumpCore

/// AUDIT reply (docs/PROTOCOL.md §4.2): one record of the pump's non-volatile audit trail,
/// counted back from the newest.
/// `ACK,seq,AUDIT,<back 0…99999>,<available 0…99999>,<time ms>,<role>,<command>,<seq or empty>,<accepted|rejected>,<reason ≤ 100>`.
public struct AuditEntry: Hashable, Sendable {
  /// Position from the newest record (0 = newest).
  public var back: Int
  /// Records available.
  public var available: Int
  /// The record (its reason sanitised to field characters, at most 100).
  public var record: AuditRecord

  public init(back: Int, available: Int, record: AuditRecord) {
    self.back = back
    self.available = available
    var r = record
    r.command = WireText.sanitize(r.command, maxLength: 10)
    r.reason = WireText.sanitize(r.reason, maxLength: 100)
    self.record = r
  }

  func encodeFields(into w: inout FieldWriter) {
    w.int(Int64(min(max(back, 0), 99_999)))
    w.int(Int64(min(max(available, 0), 99_999)))
    record.encodeFields(into: &w)
  }

  init(reading r: inout FieldReader) throws(ProtocolError) {
    let back = Int(try r.int("back", 0...99_999))
    let available = Int(try r.int("available", 0...99_999))
    self.init(back: back, available: available, record: try AuditRecord(reading: &r))
  }
}

extension AuditRecord {
  /// The record's fields: time, role, command, seq (or empty), outcome, reason. The same fields
  /// are stored in the pump's audit log file (`AuditLog`, with its own record header and CRC).
  public func encodeFields(into w: inout FieldWriter) {
    w.int(time.rawValue)
    w.text(role.rawValue)
    w.text(WireText.sanitize(command, maxLength: 10))
    w.optionalInt(seq.map(Int64.init))
    w.text(outcome.rawValue)
    w.text(WireText.sanitize(reason, maxLength: 100), maxLength: 100)
  }

  /// Reads the fields `encodeFields` writes.
  public init(reading r: inout FieldReader) throws(ProtocolError) {
    let time = Milliseconds(try r.int("time", 0...999_999_999_999_999))
    guard let role = Role(rawValue: String(try r.next("role"))) else {
      throw .outOfRange(field: "role")
    }
    let command = try r.text("command", maxLength: 10)
    let seq = try r.optionalInt("seq", 0...4_294_967_295).map { UInt32($0) }
    guard let outcome = Outcome(rawValue: String(try r.next("outcome"))) else {
      throw .outOfRange(field: "outcome")
    }
    let reason = try r.text("reason", maxLength: 100)
    self.init(time: time, role: role, command: command, seq: seq, outcome: outcome, reason: reason)
  }
}
