import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpProtocol
import Testing

@testable import PumpFirmware

/// The non-volatile audit trail (issue 11 §3): records survive a restart, a torn last record is
/// cut, damage elsewhere is skipped and counted, and the file stays bounded.
@Suite struct AuditLogTests {
  static func record(_ i: Int) -> AuditRecord {
    AuditRecord(
      time: Milliseconds(Int64(i) * 10), role: i % 2 == 0 ? .clinician : .patient,
      command: i % 3 == 0 ? "START" : "LOGIN", seq: i % 5 == 0 ? nil : UInt32(i),
      outcome: i % 4 == 0 ? .rejected : .accepted, reason: "reason, #\(i) with $ and *")
  }

  @Test(
    "REQ-FW-AUDIT-01: records are written at once and read back after a restart, in order, with their fields (reason sanitised)"
  )
  func roundTrip() throws {
    let dir = temporaryDirectory("audit")
    do {
      let log = AuditLog(directory: dir)
      for i in 0..<20 { log.append(Self.record(i)) }
      #expect(log.lastError == nil)
    }  // no sync: the file is what a kill -9 leaves
    let again = AuditLog(directory: dir)
    #expect(again.records.count == 20)
    #expect(again.records.map(\.time) == (0..<20).map { Milliseconds(Int64($0) * 10) })
    #expect(again.records[3].reason == "reason   3 with   and  ")
    #expect(again.records[5].seq == nil && again.records[4].outcome == .rejected)
    #expect(again.entry(back: 0)?.record.time == Milliseconds(190))
    #expect(again.entry(back: 20) == nil)
    again.append(Self.record(20))
    #expect(AuditLog(directory: dir).records.count == 21)
  }

  @Test(
    "REQ-FW-AUDIT-02: a torn last record is cut and the log goes on; a damaged record elsewhere is skipped and counted"
  )
  func tornAndDamaged() throws {
    let dir = temporaryDirectory("audit")
    let log = AuditLog(directory: dir)
    for i in 0..<5 { log.append(Self.record(i)) }
    let path = "\(dir)/\(AuditLog.fileName)"
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    // Flip a byte in the second record and tear the last one.
    let secondStart = bytes.firstIndex(of: 0x0A)! + 1
    bytes[secondStart + 8] ^= 0x01
    bytes.removeLast(7)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let reopened = AuditLog(directory: dir)
    #expect(reopened.damagedRecords == 1)
    #expect(reopened.records.map(\.time) == [0, 20, 30].map { Milliseconds($0) })
    reopened.append(Self.record(9))
    let third = AuditLog(directory: dir)
    #expect(third.records.map(\.time) == [0, 20, 30, 90].map { Milliseconds($0) })
  }

  @Test(
    "REQ-FW-AUDIT-03: bounded: at twice the capacity the newest records are compacted atomically")
  func bounded() throws {
    let dir = temporaryDirectory("audit")
    let log = AuditLog(directory: dir, capacity: 10)
    for i in 0..<35 { log.append(Self.record(i)) }
    #expect(log.records.count == 10)
    let path = "\(dir)/\(AuditLog.fileName)"
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count
    #expect(lines < 20, "file holds \(lines) records")
    #expect(!FileManager.default.fileExists(atPath: path + ".new"))
    let again = AuditLog(directory: dir, capacity: 10)
    #expect(again.records.map(\.time) == (25..<35).map { Milliseconds(Int64($0) * 10) })
  }
}
