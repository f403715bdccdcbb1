import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

/// `pumpsim run --patient` as a real process on a real pty: pump time under service control
/// (`--clock virtual`, `CLOCK ADVANCE`), every wait bounded.
@Suite("pumpsim with a simulated patient", .serialized)
struct PatientSimTests {
  static let adult = "\(repoRoot)/HardwareProfiles/patients/adult-70kg.yaml"

  static func status(_ keys: Keys, port: String) throws -> Telemetry {
    try session(.clinician, keys, port: port) { c in
      guard case .ack(.status(let t)) = try c.request(.status).result else {
        throw TestFailure("no status")
      }
      return t
    }
  }

  static func advance(_ ms: Int64, _ keys: Keys, port: String) throws {
    try session(.service, keys, port: port) { try $0.request(.clock(.advance(Milliseconds(ms)))) }
  }

  @Test(
    "REQ-PAT-SIM-04: pumpsim run --patient: CLOCK ADVANCE steps the patient, its vitals reach the controller (STATUS vitals and age), its presses are handset presses, patient lines are logged, and a restart resumes it",
    .timeLimit(.minutes(2)))
  func patientDrivesThePump() throws {
    let keys = try Keys()
    let args = [
      "--patient", Self.adult, "--patient-seed", "7", "--patient-monitor", "clean", "--clock",
      "virtual", "--telemetry-hz", "0",
    ]
    let sim = try PumpSim(keys: keys, args)
    let patient = sim.ready["patient"] as? [String: Any]
    #expect(patient?["seed"] as? String == "7")
    #expect(patient?["profile"] as? String == "adult-70kg")
    let port = sim.port
    // Pump time stands still at 0: no sample yet.
    #expect(try Self.status(keys, port: port).vitalsAge == nil)
    try Self.advance(1000, keys, port: port)
    var t = try Self.status(keys, port: port)
    #expect(t.vitalsAge == .zero)
    try session(.clinician, keys, port: port) { c in
      try c.request(.program(wardRx))
      try c.request(.start)
    }
    // Half an hour in one request: the patient steps every second up to the new time.
    try Self.advance(1_800_000, keys, port: port)
    t = try Self.status(keys, port: port)
    #expect(t.mode == .infusing(.basal) || t.mode == .infusing(.patientBolus))
    #expect(t.vitalsAge == .zero)
    #expect((60...120).contains(t.vitals.hr ?? 0))
    #expect((100...160).contains(t.vitals.sbp ?? 0))
    #expect(t.bolusDemands >= 1)
    #expect(t.bolusDeliveries >= 1)
    #expect(t.deliveredTotal.rawValue > 2000)
    let demands = t.bolusDemands
    sim.stop()
    let lines = sim.log.split(separator: "\n").filter { $0.contains(#""event":"patient""#) }
    #expect(lines.count >= 30)
    #expect(lines.contains { $0.contains(#""reason":"press""#) && $0.contains(#""granted":true"#) })
    #expect(lines.last?.contains(#""presses":\#(demands)"#) == true)
    #expect(FileManager.default.fileExists(atPath: "\(sim.stateDir!)/patient.state"))

    // Restart on the same state: the pump restores its journal, the patient resumes.
    let again = try PumpSim(keys: keys, stateDir: sim.stateDir, args)
    let note = (again.ready["patient"] as? [String: Any])?["note"] as? String ?? ""
    #expect(note.contains("resumed"))
    #expect(try Self.status(keys, port: again.port).bolusDemands == demands)
    again.stop()
  }

  @Test(
    "REQ-PAT-SIM-02: two pumpsim runs with the same --patient-seed and the same host inputs on a virtual clock give the same STATUS sequence",
    .timeLimit(.minutes(2)))
  func twoRunsSameCourse() throws {
    let keys = try Keys()
    var runs: [[String]] = []
    for _ in 0..<2 {
      let sim = try PumpSim(
        keys: keys,
        [
          "--patient", Self.adult, "--patient-seed", "11", "--clock", "virtual", "--telemetry-hz",
          "0",
        ])
      let port = sim.port
      try Self.advance(1000, keys, port: port)
      try session(.clinician, keys, port: port) { c in
        try c.request(.program(wardRx))
        try c.request(.start)
      }
      var seq: [String] = []
      for _ in 0..<12 {
        try Self.advance(300_000, keys, port: port)
        let t = try Self.status(keys, port: port)
        seq.append(
          "\(t.mode) \(t.deliveredTotal.rawValue) \(t.bolusDemands)/\(t.bolusDeliveries) \(t.vitals) \(t.alarms.map(\.code))"
        )
      }
      sim.stop()
      runs.append(seq)
    }
    #expect(runs[0] == runs[1])
    #expect(runs[0].count == 12)
  }

  @Test(
    "REQ-PAT-SIM-05: a missing or invalid patient file is refused with file:line, exit 1, and no state is created; --patient-seed without --patient and fleet --patient are refused"
  )
  func badPatientFile() throws {
    let keys = try Keys()
    let dir = temporaryDirectory("badpatient")
    let bad = "\(dir)/adult-70kg.yaml"
    var text = try String(contentsOfFile: Self.adult, encoding: .utf8)
    text = text.replacingOccurrences(of: "sbp: 125", with: "sbp: high")
    #expect(text.contains("sbp: high"))
    try text.write(toFile: bad, atomically: true, encoding: .utf8)
    let state = "\(dir)/state"
    var r = try runProduct(
      "pumpsim",
      [
        "run", "--key", keys.device, "--run-dir", "\(dir)/run", "--state-dir", state,
        "--patient", bad,
      ])
    #expect(r.status == 1)
    #expect(r.err.contains("\(bad):"))
    #expect(r.err.contains("baseline.sbp"))
    #expect(!r.err.contains("Fatal"))
    #expect(!FileManager.default.fileExists(atPath: state))
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/run"))

    r = try runProduct(
      "pumpsim",
      ["run", "--key", keys.device, "--run-dir", "\(dir)/run", "--patient", "\(dir)/none.yaml"])
    #expect(r.status == 1)
    #expect(r.err.contains("\(dir)/none.yaml"))

    r = try runProduct("pumpsim", ["run", "--key", keys.device, "--patient-seed", "3"])
    #expect(r.status != 0)
    #expect(r.err.contains("--patient-seed applies to --patient only"))

    r = try runProduct(
      "pumpsim",
      ["fleet", "--count", "2", "--key-dir", "\(dir)/keys", "--patient", Self.adult])
    #expect(r.status != 0)
    #expect(r.err.contains("one pump, one patient"))
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/keys"))
  }
}
