import KetaPumpTestSupport
import PumpCore
import PumpFirmware
import PumpNoise
import PumpProtocol
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Journal torn and corrupt writes (issue 13)")
struct JournalCampaignTests {
  /// A 2-hour course through the pure machine (`JournaledMachine` on a `MemoryJournal`: no
  /// files, ptys or clocks), remembering every state the machine really had after each input
  /// and each catch-up; then 1,200 damaged copies of the journal (truncated at random offsets,
  /// 1–3 random bits flipped) are restored (`JournalImage`, `JournalRestore`). Each restores a
  /// state from the real run or is refused with a journal error; none traps.
  @Test(
    "REQ-FW-JOURNAL-09: 1,200 torn or bit-flipped journals restore a state that really existed or a clear journal fault"
  )
  func tornAndCorruptCampaign() throws {
    let s = Setup(stateDir: "/nonexistent/not-used")
    let header = Firmware.journalHeader(for: s.config)
    let profile = s.config.model.profile
    let storage = MemoryJournal(header: header)
    var core = JournaledMachine(
      machine: PumpMachine(profile: profile, formulary: s.config.formulary, now: .zero),
      storage: storage)
    storage.append(.boot(at: .zero, lostAt: nil, wallMillis: 0))
    var real = Set<[UInt8]>()
    real.insert(core.machine.snapshotBytes())
    func input(_ i: FirmwareInput, at t: Int64) {
      core.machine.catchUp(to: Milliseconds(t))
      _ = core.record(i, at: Milliseconds(t))
      _ = core.machine.drainEffects()
      real.insert(core.machine.snapshotBytes())
    }
    var rng = SeededGenerator(seed: 0x13_0013)
    let calm = VitalsSample(sbp: 125, dbp: 75, hr: 80)
    var rx = wardRx
    rx.vtbi = .milliliters(60)
    input(.selfTest(passed: true), at: 0)
    for i: FirmwareInput in [
      .event(.vitals(calm)), .event(.program(rx)), .event(.confirmSoftLimits), .event(.start),
    ] {
      input(i, at: 0)
    }
    var t: Int64 = 0
    while t < 2 * 3_600_000 {
      t += Int64.random(in: 1_000...20_000, using: &rng)
      let next: FirmwareInput =
        switch Int.random(in: 0..<20, using: &rng) {
        case 0..<12: .event(.vitals(calm))
        case 12..<15: .event(.patientBolusRequest)
        case 15: .event(.pause)
        case 16: .event(.resume)
        case 17: .injection(.downstreamOcclusion(Bool.random(using: &rng)))
        case 18: .event(.acknowledgeAlarms)
        default: .event(.clinicianReset)
        }
      input(next, at: t)
      if Int.random(in: 0..<4, using: &rng) == 0 {
        // A loop pass: time passes, a snapshot may be due.
        t += Int64.random(in: 1...5_000, using: &rng)
        core.machine.catchUp(to: Milliseconds(t))
        core.snapshotIfDue(at: Milliseconds(t))
        real.insert(core.machine.snapshotBytes())
      }
    }
    let original = storage.bytes
    var restoredCount = 0
    var refused = 0
    for n in 0..<1_200 {
      var damaged = original
      if n % 2 == 0 {
        damaged.removeLast(Int.random(in: 1...original.count, using: &rng))
      } else {
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
          let i = Int.random(in: 0..<damaged.count, using: &rng)
          damaged[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        }
      }
      do {
        let image = try JournalImage(damaged, expecting: header)
        let r = try JournalRestore.restore(image, profile: profile, formulary: s.config.formulary)
        #expect(real.contains(r.machine.snapshotBytes()), "case \(n): a state that never existed")
        restoredCount += 1
      } catch {
        refused += 1
      }
    }
    #expect(restoredCount + refused == 1_200)
    #expect(restoredCount > 300 && refused > 100)
    // The undamaged journal restores the final state.
    let image = try JournalImage(original, expecting: header)
    let r = try JournalRestore.restore(image, profile: profile, formulary: s.config.formulary)
    #expect(r.machine.snapshotBytes() == core.machine.snapshotBytes())
    #expect(image.entries.contains { $0.kind == 0x53 && $0.t > .hours(1) })
  }
}
