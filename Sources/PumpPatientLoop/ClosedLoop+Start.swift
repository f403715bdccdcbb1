import PumpCore
import PumpHardware
import PumpPatient

/// Why a closed loop could not start.
public enum ClosedLoopError: Error, Equatable, Sendable {
  /// The controller refused an event of the start-up (self-test, program, confirm, start).
  case rejected(step: String, Rejection)
}

extension ClosedLoop {
  /// A loop with a fresh pump (`profile`, `formulary`) that has passed its self-test, seen
  /// the patient's first monitor sample, been programmed with `prescription` (soft limits
  /// confirmed) and started: what a nurse does at the bedside before the first minute.
  public static func started(
    profile: HardwareProfile, formulary: Formulary, prescription: Prescription,
    patient: Patient, step: Milliseconds = .seconds(1)
  ) throws(ClosedLoopError) -> ClosedLoop {
    let t = patient.now
    var rig = PumpRig(
      controller: PumpController(profile: profile, formulary: formulary, now: t),
      hardware: SimulatedHardware(profile: profile, now: t))
    let v = patient.vitals
    let baseline = VitalsSample(
      sbp: Int32(v.sbp.rounded()), dbp: Int32(v.dbp.rounded()), hr: Int32(v.hr.rounded()),
      spo2: Int32(v.spo2.rounded()), rr: Int32(v.rr.rounded()))
    if let r = rig.send(.selfTestResult(passed: true), at: t) {
      throw .rejected(step: "self-test", r)
    }
    rig.send(.vitals(baseline), at: t)
    if let r = rig.send(.program(prescription), at: t) { throw .rejected(step: "program", r) }
    // Soft limits, if any, are confirmed (a refusal only means none were pending).
    if rig.controller.mode == .programmed { rig.send(.confirmSoftLimits, at: t) }
    if let r = rig.send(.start, at: t) { throw .rejected(step: "start", r) }
    return ClosedLoop(
      rig: rig, patient: patient, concentration: prescription.concentration, step: step)
  }
}
