import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpFirmware
import PumpPatient
import PumpProtocol
import Testing

/// The PATIENT request answered by the firmware (docs/PROTOCOL.md §4.2.2): the world's state,
/// read-only.
@Suite("PATIENT request in the firmware")
struct PatientRequestTests {
  static let wall: Int64 = 1_000_000

  @Test(
    "REQ-PROTO-PATIENT-04: PATIENT answers the patient's true state at its last grid instant to the wire's resolution, and reading it never changes the pump, the journal or the patient: a course read every second equals one never read"
  )
  func readingChangesNothing() throws {
    let dirs = (temporaryDirectory("patient-read"), temporaryDirectory("patient-unread"))
    defer {
      try? FileManager.default.removeItem(atPath: dirs.0)
      try? FileManager.default.removeItem(atPath: dirs.1)
    }
    let (fw, w, s) = try PatientWorldTests.course(dir: dirs.0, seed: 5)
    let (twin, tw, _) = try PatientWorldTests.course(dir: dirs.1, seed: 5)
    var l = Link(firmware: fw, role: .clinician, secret: s.secret, mono: 1000, wall: Self.wall)
    l.hello()  // an observer: no login needed for a read-only query
    var reads = 0
    for m in stride(from: Int64(1500), through: 1_200_000, by: 1000) {
      l.mono = m
      // Pump time moves to m in the first pass; every further read sees the same state.
      let first = l.send(.patient)
      let journal = fw.journalBytes
      let executedBefore = fw.executed
      let status = PatientWorldTests.status(fw, m)
      let record = w.record
      for _ in 0..<(m % 60_000 == 1500 ? 5 : 1) {
        let reply = m % 60_000 == 1500 ? l.send(.patient) : first
        guard case .ack(.patient(let p))? = reply?.result else {
          Issue.record("no PATIENT reply at \(m): \(String(describing: reply))")
          return
        }
        reads += 1
        let v = w.coupling.patient.vitals
        #expect(p.time == w.coupling.patient.now)
        #expect(p.time.rawValue == m - 500)  // the last 1-s grid instant
        #expect(p.plasmaTenths == PatientReadout.tenths(v.plasma))
        #expect(p.effectSiteTenths == PatientReadout.tenths(v.effectSite))
        #expect(p.painTenths == PatientReadout.tenths(v.pain))
        #expect(p.hrTenths == PatientReadout.tenths(v.hr))
        #expect(p.sbpTenths == PatientReadout.tenths(v.sbp))
        #expect(p.dbpTenths == PatientReadout.tenths(v.dbp))
        #expect(p.presses == w.record.presses)
        #expect(p.profileID == "adult-70kg")
        #expect(p.seed == 5)
      }
      if m % 60_000 == 1500 {
        // Repeated reads at one instant: nothing journaled, nothing applied, nothing stepped.
        #expect(PatientWorldTests.status(fw, m) == status)
        #expect(w.record == record)
        #expect(fw.executed - executedBefore == 5)
        #expect(fw.journalBytes == journal)
      }
      _ = twin.service(received: [UInt8](), monoMillis: m, wallMillis: Self.wall)
    }
    #expect(reads > 1000)
    // The twin was never read: same pump, same journal, same patient.
    let m: Int64 = 1_200_000
    #expect(
      PatientWorldTests.line(PatientWorldTests.status(fw, m))
        == PatientWorldTests.line(PatientWorldTests.status(twin, m)))
    #expect(fw.journalBytes == twin.journalBytes)
    // (`record.now` and the hand-over position are synced only when the state file is saved,
    // which wall time paces; the counts and the per-minute drug history are kept as they happen.)
    #expect(w.record.presses == tw.record.presses)
    #expect(w.record.grants == tw.record.grants)
    #expect(w.record.history == tw.record.history)
    #expect(w.coupling.handedOver == tw.coupling.handedOver)
    #expect(w.coupling.patient.vitals == tw.coupling.patient.vitals)
    #expect(w.readout == tw.readout)
  }

  @Test(
    "REQ-PROTO-PATIENT-04: a pump without a simulated patient answers PATIENT with NAK 17 no-patient, to an observer and to every role, and stays as it was"
  )
  func noPatient() throws {
    let dir = temporaryDirectory("patient-none")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let s = Setup(stateDir: dir)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: Self.wall)
    var l = Link(firmware: fw, role: .service, secret: s.secret, mono: 10, wall: Self.wall)
    l.hello()
    let journal = fw.journalBytes
    let observer = l.send(.patient)
    l.login()
    let service = l.send(.patient)
    for reply in [observer, service] {
      guard case .nak(let n)? = reply?.result else {
        Issue.record("expected NAK 17, got \(String(describing: reply))")
        continue
      }
      #expect(n.code == .noPatient)
      #expect(n.reason == "no simulated patient (pumpsim run --patient FILE)")
    }
    #expect(fw.machine.controller.mode == .idle)
    // The login's host-link input is journaled; the two reads add nothing after it.
    let afterLogin = fw.journalBytes
    _ = l.send(.patient)
    #expect(fw.journalBytes == afterLogin)
    #expect(afterLogin >= journal)
  }
}
