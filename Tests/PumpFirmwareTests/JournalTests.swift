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
    let bytes = readAll("\(dir)/journal.kpj")
    let image = try JournalImage(bytes, expecting: Firmware.journalHeader(for: s.config))
    #expect(image.header.ruleVersion == PumpController.ruleVersion)
    #expect(image.header.schema == JournalHeader.schema)
    #expect(image.header.firmwareVersion == "test")
    let kinds = try image.entries.indices.map { i -> String in
      switch try image.record(i) {
      case .header: "H"
      case .boot: "B"
      case .input: "I"
      case .result: "R"
      case .snapshot: "S"
      }
    }
    #expect(kinds == ["B", "I", "R", "S"])
    #expect(image.entries.map(\.seq) == [1, 2, 3, 4])
    let text = String(decoding: bytes, as: UTF8.self)
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
    let path = "\(dir)/journal.kpj"
    let good = readAll(path)
    // A start whose write was torn: only part of its record reached the file.
    let start = JournalRecord.input(at: Milliseconds(12_345), .event(.start)).frame(seq: 99)
    append(path, Array(start.prefix(start.count - 3)))
    let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: 2_000)
    #expect(again.journalFault == nil)
    #expect(again.machine.controller.mode == .programmed)
    #expect(Array(readAll(path).prefix(good.count)) == good)
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
    // Flip one bit inside the second record (the boot record), records after it intact.
    let image = try JournalImage(bytes, expecting: Firmware.journalHeader(for: s.config))
    bytes[image.entries[0].offset + 6] ^= 0x10
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

  @Test(
    "REQ-FW-JOURNAL-06: a journal of another rule or schema version, or a v1 text journal, gives fault(journal-version), untouched"
  )
  func otherVersion() throws {
    let dir = temporaryDirectory("version")
    let s = Setup(stateDir: dir)
    _ = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000)
    let path = "\(dir)/journal.kpj"
    // The same journal with the header rewritten by a firmware with other safety rules.
    let image = try JournalImage(readAll(path), expecting: Firmware.journalHeader(for: s.config))
    var header = image.header
    header.ruleVersion = PumpController.ruleVersion + 1
    header.firmwareVersion = "9.9.9"
    let bytes = JournalRecord.header(header).frame(seq: 0) + readAll(path)[image.headerLength...]
    let f = fopen(path, "wb")!
    fwrite(bytes, 1, bytes.count, f)
    fclose(f)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 2_000)
    #expect(fw.machine.controller.mode == .fault(.journalVersion))
    #expect(fw.journalFault?.contains("safety rules v\(PumpController.ruleVersion + 1)") == true)
    #expect(readAll(path) == bytes)
    // A format-1 journal (CR LF text) is not migrated either.
    let v1 = Array("$JH,0,1,KP-TEST-1,abc,syringe-pca-60ml,0123,4567*1A2B\r\n".utf8)
    let g = fopen(path, "wb")!
    fwrite(v1, 1, v1.count, g)
    fclose(g)
    let old = try Firmware(config: s.config, monoMillis: 0, wallMillis: 3_000)
    #expect(old.machine.controller.mode == .fault(.journalVersion))
    #expect(old.journalFault?.contains("format 1") == true)
    #expect(readAll(path) == v1)
  }

  @Test(
    "REQ-FW-JOURNAL-07: restart with --clock virtual: pump time stands still over the outage; real clock: the outage counts"
  )
  func clockAcrossRestart() throws {
    for virtual in [false, true] {
      let dir = temporaryDirectory(virtual ? "clock-virtual" : "clock-real")
      var s = Setup(stateDir: dir)
      if virtual { s.config.clockMode = .virtual }
      let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
      #expect(
        fw.input(.event(.vitals(VitalsSample(sbp: 125, dbp: 75, hr: 80))), monoMillis: 0)
          == .accepted)
      #expect(fw.input(.event(.program(wardRx)), monoMillis: 0) == .accepted)
      #expect(fw.input(.event(.start), monoMillis: 0) == .accepted)
      #expect(fw.input(.event(.patientBolusRequest), monoMillis: 0) == .accepted)
      _ = fw.service(received: [UInt8](), monoMillis: 0, wallMillis: 1_000_000)
      let before = fw.machine.snapshot(at: fw.now(mono: 0))
      // Down for 4 minutes of wall time.
      let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_240_000)
      let after = again.machine.controller
      #expect(after.mode == .paused(.powerCycle))
      #expect(after.bolusGrants == 1)
      if virtual {
        #expect(again.now(mono: 0) == before.now)
        #expect(after.lockoutRemaining == before.lockoutRemaining)
      } else {
        #expect(again.now(mono: 0) == before.now + .minutes(4))
        #expect(after.lockoutRemaining == before.lockoutRemaining - .minutes(4))
      }
    }
  }

  @Test(
    "REQ-FW-JOURNAL-08: snapshots bound the restart and compaction bounds the file; the state survives both"
  )
  func compactionKeepsState() throws {
    let dir = temporaryDirectory("compact")
    let s = Setup(stateDir: dir)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 0)
    let calm = VitalsSample(sbp: 125, dbp: 75, hr: 80)
    var rx = wardRx
    rx.vtbi = .milliliters(60)
    fw.input(.event(.vitals(calm)), monoMillis: 0)
    fw.input(.event(.program(rx)), monoMillis: 0)
    fw.input(.event(.confirmSoftLimits), monoMillis: 0)
    fw.input(.event(.start), monoMillis: 0)
    var t: Int64 = 2_000
    var peak = 0
    while t <= 10 * 3_600_000 {
      fw.input(.event(.vitals(calm)), monoMillis: t)
      if t % 1_800_000 == 0 { fw.input(.event(.patientBolusRequest), monoMillis: t) }
      if t % 60_000 == 0 { _ = fw.service(received: [UInt8](), monoMillis: t, wallMillis: t) }
      peak = max(peak, fw.journalBytes)
      t += 2_000
    }
    _ = fw.service(received: [UInt8](), monoMillis: t, wallMillis: t)
    #expect(fw.journalCompactions > 0)
    #expect(peak < 2_000_000)
    let before = fw.machine.snapshot(at: fw.now(mono: t))
    let image = try JournalImage(
      readAll("\(dir)/journal.kpj"), expecting: Firmware.journalHeader(for: s.config))
    let restored = try JournalRestore.restore(
      image, profile: s.config.model.profile, formulary: s.config.formulary)
    #expect(restored.replayed <= 2 * Firmware.snapshotEveryRecords + 2)
    let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: t)
    let after = again.machine.controller
    #expect(after.mode == .paused(.powerCycle))
    #expect(after.bolusGrants == before.bolusGrants)
    #expect(after.ledger.totalPicograms == before.ledger.totalPicograms)
    #expect(after.ledger.delivered4h == before.ledger.delivered4h)
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
