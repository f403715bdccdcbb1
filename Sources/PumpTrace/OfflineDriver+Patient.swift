import PumpCore
import PumpHardware
import PumpPatient
import PumpPatientLoop

/// The simulated patient of a trace naming `patient:`, stepped beside the offline pump on the
/// patient's grid exactly as pumpsim's `PatientWorld` steps it (docs/PATIENT.md "Traces"): at
/// each grid instant the pump catches up to it (deadlines only), the mechanism is read there
/// from a copy of the hardware, the patient advances with the drug it moved, and its monitor
/// sample (as vitals) then its presses (as handset presses) go to the pump at that instant —
/// `PatientCoupling.step(mechanism:)`'s order (`forEachEvent`), the one coupling order. A trace's own lines at the same
/// instant come after, as a host's inputs come after the world's in the firmware.
struct OfflinePatient: Sendable {
  var coupling: PatientCoupling
  var overrides: PatientOverrides.Cursor

  init(_ p: TracePatient, profile: HardwareProfile) {
    coupling = PatientCoupling(
      patient: Patient(p.individual, monitor: p.monitorSettings, seed: p.seed, start: .zero),
      stepsPerMilliliter: profile.stepsPerMilliliter, mechanismSteps: 0,
      step: p.monitorSettings.continuousPeriod)
    overrides = PatientOverrides.Cursor(p.overrides)
  }
}

extension OfflineDriver {
  /// Steps the patient (if the trace has one) through every grid instant ≤ `t`, recording its
  /// true state (`ObservedEvent.patient`) at each. While the pump is off the patient lives on
  /// (its samples and presses reach nobody, the mechanism does not move).
  mutating func stepPatient(through t: Milliseconds, log: inout ObservationLog) {
    // (Looked at in place: `guard var p = patient` copied the patient, present or not, at
    // every action of every trace.)
    guard let next = patient?.coupling.nextInstant, next <= t, var p = patient.take() else {
      return
    }
    // Moved out while stepping: the patient is not copied per step.
    while p.coupling.nextInstant <= t {
      let w = p.coupling.nextInstant
      if powered { catchUp(to: w, log: &log) }
      let m = PatientCoupling.mechanism(
        of: rig.hardware, programmed: rig.controller.prescription?.concentration, at: w,
        powered: powered)
      let out = p.coupling.advance(mechanismSteps: m.steps, concentration: m.concentration)
      log.append(.patient(p.coupling.patient.vitals), at: w)
      guard powered else { continue }
      let replaced = p.overrides.mask(at: w)
      PatientCoupling.forEachEvent(of: out) { e in
        if case .vitals(let s) = e {
          let sample = replaced == 0 ? s : s.removing(replaced)
          guard sample.presentMask != 0 else { return }
          log.fed(sample, at: w)
          patientInput(.vitals(sample), at: w, log: &log)
        } else {
          patientInput(e, at: w, log: &log)
        }
      }
    }
    patient = p
  }
}

extension OfflineDriver {
  /// The patient's side of the loop as it stands (nil: the trace names no patient).
  public var patientCoupling: PatientCoupling? { patient?.coupling }
}
