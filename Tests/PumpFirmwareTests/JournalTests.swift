import KetaPumpTestSupport
import PumpCore
import PumpFirmware
import PumpProtocol
import Testing

#if canImport(Glibc)
  import Glibc
#endif

private func readAll(_ path: String) -> [UInt8] {
  guard let f = fopen(path, "rb") else { return [] }
  defer { fclose(f) }
  var out: [UInt8] = []
  var buf = [UInt8](repeating: 0, count: 4096)
  while true {
    let n = fread(&buf, 1, buf.count, f)
    if n <= 0 { break }
    out += buf[0..<n]
  }
  return out
}

private func append(_ path: String, _ bytes: [UInt8]) {
  let f = fopen(path, "ab")!
  fwrite(bytes, 1, bytes.count, f)
  fclose(f)
}

@Suite("Firmware journal and restart")
struct JournalTests {
  @Test("REQ-FW-JOURNAL-01: a first start writes header, boot and self-test, and comes up idle")
  func freshStart() throws {
    let dir = temporaryDirectory("fresh")
    let s = Setup(stateDir: dir)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
    #expect(fw.machine.controller.mode == .idle)
    let text = String(decoding: readAll("\(dir)/journal.kpj"), as: UTF8.self)
    let kinds = text.split(separator: "\r\n").map { $0.prefix(3) }
    #expect(kinds == ["$JH", "$JB", "$JI"])
    #expect(!text.contains(s.secret.hexForKeyFile))
  }

  @Test("REQ-FW-RESTART-01: a restart replays the journal: paused, same delivery, lockout kept")
  func restartKeepsHistory() throws {
    let dir = temporaryDirectory("restart")
    let s = Setup(stateDir: dir)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
    var ward = Ward(firmware: fw, secret: s.secret)
    #expect(ward.send(.vitals, .vitals(ward.vitals))?.isAck == true)
    #expect(ward.send(.clinician, .program(wardRx))?.isAck == true)
    #expect(ward.send(.clinician, .start)?.isAck == true)
    ward.wait(60_000)
    #expect(ward.send(.patient, .patientBolus)?.isAck == true)
    ward.wait(30_000)
    let before = fw.machine.snapshot(at: fw.now(mono: ward.mono))
    let lockout = before.lockoutRemaining
    #expect(before.bolusGrants == 1)
    // Power off without a clean shutdown: the process dies here; 5 s later it starts again.
    let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: ward.wall + 5_000)
    let after = again.machine.controller
    #expect(after.mode == .paused(.powerCycle))
    #expect(after.prescription == wardRx)
    #expect(after.bolusGrants == 1)
    #expect(after.ledger.totalPicograms == before.ledger.totalPicograms)
    #expect(after.lockoutRemaining == lockout - .seconds(5))
    #expect(again.now(mono: 0) == before.now + .seconds(5))
  }

  @Test("REQ-FW-JOURNAL-02: a torn last record is cut off and the pump restarts")
  func tornTail() throws {
    let dir = temporaryDirectory("torn")
    let s = Setup(stateDir: dir)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000)
    var link = Link(firmware: fw, role: .clinician, secret: s.secret, mono: 0, wall: 1_000)
    link.login()
    link.send(.program(wardRx))
    append("\(dir)/journal.kpj", Array("$JI,9,12345,R,STA".utf8))
    let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: 2_000)
    #expect(again.journalFault == nil)
    #expect(again.machine.controller.mode == .programmed)
    let text = String(decoding: readAll("\(dir)/journal.kpj"), as: UTF8.self)
    #expect(!text.contains("STA\r\n") && !text.contains("R,STA$"))
  }

  @Test("REQ-FW-JOURNAL-03: damage before the last record faults the pump; the file is untouched")
  func corruptMiddle() throws {
    let dir = temporaryDirectory("corrupt")
    let s = Setup(stateDir: dir)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000)
    var link = Link(firmware: fw, role: .clinician, secret: s.secret, mono: 0, wall: 1_000)
    link.login()
    link.send(.program(wardRx))
    link.send(.start)
    let path = "\(dir)/journal.kpj"
    var bytes = readAll(path)
    // Flip one digit inside the second record (the boot record's time field).
    let second = bytes.firstIndex(of: 0x0A)! + 6
    bytes[second] = bytes[second] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
    let f = fopen(path, "wb")!
    fwrite(bytes, 1, bytes.count, f)
    fclose(f)
    let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: 2_000)
    #expect(again.machine.controller.mode == .fault(.journal))
    #expect(again.journalFault?.contains("corrupt") == true)
    #expect(readAll(path) == bytes)
  }

  @Test("REQ-FW-JOURNAL-04: a journal of another device or key faults the pump, untouched")
  func foreign() throws {
    let dir = temporaryDirectory("foreign")
    let s = Setup(stateDir: dir)
    _ = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000)
    let before = readAll("\(dir)/journal.kpj")
    let other = Setup(stateDir: dir, deviceId: "KP-OTHER")
    let fw = try Firmware(config: other.config, monoMillis: 0, wallMillis: 2_000)
    #expect(fw.machine.controller.mode == .fault(.journal))
    #expect(fw.journalFault?.contains("another pump") == true)
    let rekeyed = Setup(stateDir: dir)  // same id, new key
    let fw2 = try Firmware(config: rekeyed.config, monoMillis: 0, wallMillis: 3_000)
    #expect(fw2.journalFault?.contains("different device key") == true)
    #expect(readAll("\(dir)/journal.kpj") == before)
  }

  @Test("REQ-FW-JOURNAL-05: an unusable state directory is a clear error, not a fault")
  func unwritable() {
    let file = temporaryDirectory("unwritable") + "/plain-file"
    fclose(fopen(file, "w"))
    let s = Setup(stateDir: file)
    #expect(throws: JournalError.self) {
      _ = try Firmware(config: s.config, monoMillis: 0, wallMillis: 0)
    }
  }
}
