import KetaPumpTestSupport
import PumpCore
import PumpPatient
import PumpReplay
import PumpTrace
import Testing

/// The trace header's patient keys (`patient:`, `patient-seed:`, `patient-monitor:`) and their
/// binding to `HardwareProfiles/patients/`.
@Suite struct PatientTraceHeaderTests {
  static let head = "profile: syringe-pca-60ml\n"

  static func parseError(_ text: String) -> String? {
    do {
      _ = try TraceParser.parse(text, file: "bad.trace")
      return nil
    } catch { return error.description }
  }

  @Test func `REQ-PAT-TRACE-01 the patient keys parse, with their defaults`() throws {
    let none = try TraceParser.parse(Self.head + "seed: 9\n1s press\n")
    #expect(none.header.patient == nil)
    #expect(none.header.patientSeed == nil)
    #expect(none.header.patientMonitor == .standard)
    let t = try TraceParser.parse(
      Self.head
        + "seed: 9\npatient: adult-70kg\npatient-seed: 42\npatient-monitor: clean\n1s press\n")
    #expect(t.header.patient == "adult-70kg")
    #expect(t.header.patientSeed == 42)
    #expect(t.header.patientMonitor == .clean)
    let d = try TraceParser.parse(Self.head + "patient: child-20kg\npatient-monitor: DEFAULT\n")
    #expect(d.header.patientMonitor == .standard)
  }

  static let errors: [(String, String)] = [
    ("patient-seed: -1", "bad.trace:3:15: expected a seed 0…18446744073709551615, found '-1'"),
    ("patient-seed: lots", "bad.trace:3:15: expected a seed 0…18446744073709551615, found 'lots'"),
    ("patient-monitor: noisy", "bad.trace:3:18: expected 'default' or 'clean', found 'noisy'"),
    (
      "patient: ../adult-70kg",
      "bad.trace:3:10: expected a patient id (a file name in HardwareProfiles/patients), found '../adult-70kg'"
    ),
    (
      "patient: adult 70kg",
      "bad.trace:3:10: expected a patient id (a file name in HardwareProfiles/patients), found 'adult 70kg'"
    ),
    (
      "patient: adult-70kg\npatient: child-20kg",
      "bad.trace:4:1: header field 'patient' given twice"
    ),
    ("patient:", "bad.trace:3:9: expected a value for 'patient', found the end of the line"),
  ]

  @Test(
    "REQ-PAT-TRACE-01: malformed patient keys are file:line:column errors", arguments: errors)
  func malformed(line: String, message: String) {
    #expect(Self.parseError(Self.head + "name: x\n" + line + "\n") == message)
  }

  @Test func `REQ-PAT-TRACE-01 patient-seed and patient-monitor need a patient`() {
    #expect(
      Self.parseError(Self.head + "patient-seed: 3\n1s press\n")
        == "bad.trace:2:1: 'patient-seed' needs a 'patient:' header field naming the patient")
    #expect(
      Self.parseError(Self.head + "seed: 1\npatient-monitor: clean\n")
        == "bad.trace:3:1: 'patient-monitor' needs a 'patient:' header field naming the patient")
  }

  @Test func `REQ-PAT-TRACE-01 an unknown patient is a bind error listing the known ids`() throws {
    let t = try TraceParser.parse(Self.head + "patient: adult-90kg\n1s press\n", file: "p.trace")
    #expect(
      throws: TraceError(
        file: "p.trace", line: 2, column: 10,
        message:
          "expected a patient (adult-70kg, child-20kg, elderly-65kg, hypertensive-80kg, sensitive-responder), found 'adult-90kg'"
      )
    ) {
      try TraceSetup.bind(t, to: shippedConfiguration)
    }
  }

  @Test func `REQ-PAT-TRACE-01 binding: seed defaults to the trace's, weight to the patient's`()
    throws
  {
    let t = try TraceParser.parse(Self.head + "seed: 77\npatient: child-20kg\n1s press\n")
    let s = try TraceSetup.bind(t, to: shippedConfiguration)
    let p = try #require(s.patient)
    #expect(p.profile.id == "child-20kg")
    #expect(p.seed == 77)
    #expect(p.monitor == .standard)
    #expect(p.monitorSettings == MonitorSettings())
    #expect(p.individual == p.profile.typical)
    #expect(s.prescription.patientWeight == .kilograms(20))
    // A weight the trace gives is what the nurse entered, kept even when wrong.
    let w = try TraceParser.parse(
      Self.head + "weight: 70 kg\npatient: child-20kg\npatient-seed: 5\npatient-monitor: clean\n")
    let ws = try TraceSetup.bind(w, to: shippedConfiguration)
    #expect(ws.prescription.patientWeight == .kilograms(70))
    #expect(ws.patient?.seed == 5)
    #expect(ws.patient?.monitorSettings == .clean)
    // No patient: nothing changes.
    let n = try TraceSetup.bind(try TraceParser.parse(Self.head), to: shippedConfiguration)
    #expect(n.patient == nil)
    #expect(n.prescription.patientWeight == .kilograms(70))
  }
}
