import PumpCore
import PumpHardware
import PumpPatient

/// The coupling order at one grid instant, written once for every place that steps a patient
/// beside a pump (pumpsim's `PatientWorld`, offline trace replay): the mechanism is read at
/// the instant, the patient advances with the drug it moved, and the step's inputs go to the
/// pump in this order — the monitor sample as a bedside monitor's vitals, then each press as
/// a handset press.
extension PatientCoupling {
  /// Where the mechanism stands at grid instant `t`, read as the coupling reads it: from a
  /// copy of `rig`'s hardware advanced to `t` (the rig itself is stepped only at its deadlines
  /// and inputs, so a journal rebuilds it exactly), not advanced while the pump is off; and the
  /// programmed concentration (0 when nothing is programmed: no drug).
  public static func mechanism(
    of rig: borrowing PumpRig, at t: Milliseconds, powered: Bool
  ) -> (steps: Int64, concentration: MicrogramsPerMilliliter) {
    var hardware = rig.hardware
    if powered { hardware.advance(to: t) }
    let concentration = rig.controller.prescription?.concentration ?? MicrogramsPerMilliliter(0)
    return (hardware.totalSteps, concentration)
  }

  /// The pump events of one patient step, in the coupling's order: the sample (if the
  /// monitor reported one) as `.vitals`, then one `.patientBolusRequest` per press.
  public static func events(of step: PatientStep) -> [PumpEvent] {
    var out: [PumpEvent] = []
    out.reserveCapacity(step.presses + 1)
    if let s = step.sample { out.append(.vitals(s)) }
    for _ in 0..<step.presses { out.append(.patientBolusRequest) }
    return out
  }

  /// One grid step to `nextInstant` (the mechanism at `mechanism`, as `mechanism(of:at:powered:)`
  /// reads it), returning the instant, the step and its pump events in order.
  public mutating func step(
    mechanism: (steps: Int64, concentration: MicrogramsPerMilliliter)
  ) -> (instant: Milliseconds, step: PatientStep, events: [PumpEvent]) {
    let t = nextInstant
    let out = advance(mechanismSteps: mechanism.steps, concentration: mechanism.concentration)
    return (t, out, Self.events(of: out))
  }
}
