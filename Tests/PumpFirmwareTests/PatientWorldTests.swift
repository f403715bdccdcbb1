import Foundation
import KetaPumpTestSupport
import PumpConfig
import PumpCore
import PumpFirmware
import PumpPatient
import PumpPatientLoop
import PumpProtocol
import Testing

/// pumpsim's simulated patient at the level of the firmware object (no pty, no process): pump
/// time is the fake monotonic clock handed to `Firmware.service`, so every course is exact and
/// bounded.
@Suite("Simulated patient in the firmware (world stepping)")
struct PatientWorldTests {
  static let adult: PatientProfile = {
    do {
      return try PumpConfig.loadPatient(
        path: "\(repoRoot)/HardwareProfiles/patients/adult-70kg.yaml")
    } catch { fatalError("\(error)") }
  }()
  static let wall: Int64 = 1_000_000

  /// A pump with the adult attached at pump time 0 (mono 0), the first monitor sample taken at
  /// 1 s, then programmed with the ward prescription and started.
  static func course(
    dir: String, seed: UInt64, secret: DeviceSecret? = nil, monitor: MonitorSettings = .clean
  ) throws -> (Firmware, PatientWorld, Setup) {
    let s = Setup(stateDir: dir, secret: secret)
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: wall)
    let w = PatientWorld(profile: adult, seed: seed, monitor: monitor, firmware: fw, monoMillis: 0)
    fw.attach(w)
    _ = fw.service(received: [UInt8](), monoMillis: 1000, wallMillis: wall)
    fw.input(.event(.program(wardRx)), monoMillis: 1000)
    fw.input(.event(.start), monoMillis: 1000)
    return (fw, w, s)
  }

  /// What the pump reports at mono `m` (pump time = m on these courses).
  static func status(_ fw: Firmware, _ m: Int64) -> Telemetry {
    Telemetry(fw.machine.snapshot(at: fw.now(mono: m)))
  }

  /// A comparable line per pass: mode, delivered, demands, grants, vitals and their age, alarms.
  static func line(_ t: Telemetry) -> String {
    "\(t.mode) \(t.deliveredTotal.rawValue) \(t.bolusDemands)/\(t.bolusDeliveries) \(t.vitals) \(t.vitalsAge?.rawValue ?? -1) \(t.alarms.map(\.code))"
  }

  @Test(
    "REQ-PAT-SIM-01: the patient's monitor samples reach the controller as journaled vitals inputs every second, its presses as patient-bolus presses, and it receives exactly the drug the mechanism moved"
  )
  func vitalsAndPressesReachThePump() throws {
    let dir = temporaryDirectory("patient-world")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (fw, w, _) = try Self.course(dir: dir, seed: 3)
    #expect(fw.machine.controller.mode == .infusing(.basal))
    var m: Int64 = 1000
    while m < 7_200_000 {
      m += 60_000
      _ = fw.service(received: [UInt8](), monoMillis: m, wallMillis: Self.wall)
      let t = Self.status(fw, m)
      // The last sample is the one taken at this very instant (clean monitor, 1-s grid).
      #expect(t.vitalsAge == .zero)
      let v = w.coupling.patient.vitals
      #expect(t.vitals.hr == Int32(v.hr.rounded()))
      #expect(t.vitals.sbp == Int32(v.sbp.rounded()))
    }
    let t = Self.status(fw, m)
    #expect(w.samplesSent == m / 1000)
    #expect(w.coupling.patient.now == Milliseconds(m))
    #expect(w.record.presses > 0)
    #expect(t.bolusDemands == w.record.presses)
    #expect(t.bolusDeliveries == w.record.grants)
    #expect(w.record.grants > 0 && w.record.grants < w.record.presses)
    // Drug: the floor of steps × concentration ÷ steps/mL, handed over, all of it in the PK.
    let steps = fw.machine.rig.hardware.totalSteps
    let spm = fw.machine.rig.hardware.profile.stepsPerMilliliter
    #expect(w.coupling.handedOver == steps * 5000 / spm)
    #expect(Double(w.coupling.handedOver) == w.coupling.patient.pk.administered)
    #expect(abs(w.coupling.handedOver - t.deliveredTotal.rawValue) <= 10)
    #expect(w.record.history.reduce(0, +) == w.coupling.handedOver)
    print(
      "figure: pumpsim patient 2 h: delivered \(w.coupling.handedOver) µg, presses \(w.record.presses), grants \(w.record.grants), Ce \(w.coupling.patient.vitals.effectSite) ng/mL, journal \(fw.journalBytes) B"
    )
  }

  @Test(
    "REQ-PAT-SIM-02: same seed and same inputs give the same course whether time moves in 1-min passes or in one 6-h jump; another seed gives another course"
  )
  func deterministic() throws {
    var lines: [[String]] = []
    var finals: [String] = []
    for seed: UInt64 in [5, 5, 6] {
      let dir = temporaryDirectory("patient-det")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let (fw, _, _) = try Self.course(dir: dir, seed: seed)
      var seq: [String] = []
      var m: Int64 = 1000
      while m < 21_601_000 {
        m += 60_000
        _ = fw.service(received: [UInt8](), monoMillis: m, wallMillis: Self.wall)
        seq.append(Self.line(Self.status(fw, m)))
      }
      lines.append(seq)
      finals.append(Self.line(Self.status(fw, m)))
    }
    #expect(lines[0] == lines[1])
    #expect(lines[0] != lines[2])
    // The same seed, the whole 6 h in one pass (a host's CLOCK ADVANCE of 6 h): the patient
    // steps on its own 1-s grid up to the new time, so the course is the same.
    let dir = temporaryDirectory("patient-jump")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (fw, w, _) = try Self.course(dir: dir, seed: 5)
    let end: Int64 = 1000 + 360 * 60_000
    _ = fw.service(received: [UInt8](), monoMillis: end, wallMillis: Self.wall)
    #expect(Self.line(Self.status(fw, end)) == finals[0])
    #expect(w.samplesSent == end / 1000)
  }

  @Test(
    "REQ-PAT-SIM-03: across a restart the pump restores from its journal and the patient resumes from patient.state (drug in the body kept); a corrupt or foreign state file starts the patient from baseline with the reason"
  )
  func restart() throws {
    let dir = temporaryDirectory("patient-restart")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (fw, w, s) = try Self.course(dir: dir, seed: 9)
    let stop: Int64 = 2 * 3_600_000 + 1000
    _ = fw.service(received: [UInt8](), monoMillis: stop, wallMillis: Self.wall)
    let before = Self.status(fw, stop)
    let ce = w.coupling.patient.vitals.effectSite
    let cp = w.coupling.patient.vitals.plasma
    let handed = w.coupling.handedOver
    fw.shutdown(monoMillis: stop, wallMillis: Self.wall)
    #expect(FileManager.default.fileExists(atPath: "\(dir)/\(PatientWorld.fileName)"))

    // Same wall time: no outage, pump time continues at `stop`.
    let fw2 = try Firmware(config: s.config, monoMillis: 0, wallMillis: Self.wall)
    let w2 = PatientWorld(
      profile: Self.adult, seed: 9, monitor: .clean, firmware: fw2, monoMillis: 0)
    #expect(w2.startNote.contains("resumed"))
    #expect(w2.coupling.patient.now == Milliseconds(stop))
    #expect(w2.coupling.handedOver == handed)
    #expect(w2.record.presses == w.record.presses && w2.record.grants == w.record.grants)
    // The journal gave the pump its history, the patients' presses and vitals included.
    let after = Self.status(fw2, 0)
    #expect(after.bolusDemands == before.bolusDemands)
    #expect(after.deliveredTotal == before.deliveredTotal)
    // The drug in the body is kept (the history is per minute: within-minute timing aside).
    let dCe = abs(w2.coupling.patient.vitals.effectSite - ce) / ce
    let dCp = abs(w2.coupling.patient.vitals.plasma - cp) / cp
    #expect(dCe < 0.02 && dCp < 0.02)
    print(
      "figure: pumpsim patient resume after 2 h: Cp \(cp) → \(w2.coupling.patient.vitals.plasma), Ce \(ce) → \(w2.coupling.patient.vitals.effectSite) ng/mL"
    )
    fw2.attach(w2)
    _ = fw2.service(received: [UInt8](), monoMillis: 60_000, wallMillis: Self.wall)
    #expect(w2.coupling.patient.now == Milliseconds(stop + 60_000))
    #expect(Self.status(fw2, 60_000).vitalsAge == .zero)

    // Another seed: not this patient's state.
    let other = PatientWorld(
      profile: Self.adult, seed: 10, monitor: .clean, firmware: fw2, monoMillis: 60_000)
    #expect(other.startNote.contains("not this one"))
    #expect(other.startNote.contains("started from baseline"))
    #expect(other.coupling.handedOver == 0)
    // A damaged file.
    try "ketapump-patient 1\nprofile adult-70kg\nseed nine\n".write(
      toFile: "\(dir)/\(PatientWorld.fileName)", atomically: true, encoding: .utf8)
    let damaged = PatientWorld(
      profile: Self.adult, seed: 9, monitor: .clean, firmware: fw2, monoMillis: 60_000)
    #expect(damaged.startNote.contains("corrupt (line 3: 'seed': not an integer)"))
    #expect(damaged.startNote.contains("started from baseline"))
  }

  @Test("REQ-PAT-SIM-03: the patient's state file round-trips and refuses inconsistent text")
  func recordText() throws {
    var r = PatientRecord(profileID: "adult-70kg", seed: 42, start: .seconds(5))
    r.received(700, endingAt: .seconds(6))
    r.received(300, endingAt: .seconds(65))
    r.received(5, endingAt: .seconds(66))
    r.now = .seconds(66)
    r.handedOver = 1005
    #expect(r.history == [1000, 5])
    #expect(try PatientRecord(text: r.text) == r)
    var bad = r
    bad.handedOver = 1
    #expect(throws: PatientRecord.Invalid.self) { try PatientRecord(text: bad.text) }
    #expect(throws: PatientRecord.Invalid.self) { try PatientRecord(text: "journal\n") }
  }
}
