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
    mechanism(
      of: rig.hardware, programmed: rig.controller.prescription?.concentration, at: t,
      powered: powered)
  }

  /// `mechanism(of:at:powered:)` from the rig's hardware and the programmed concentration,
  /// for a caller holding the rig `inout` (offline replay): passing the whole rig would copy
  /// the controller with it (docs/PERFORMANCE.md); the hardware is copied once, here.
  public static func mechanism(
    of hardware: consuming SimulatedHardware, programmed: MicrogramsPerMilliliter?,
    at t: Milliseconds, powered: Bool
  ) -> (steps: Int64, concentration: MicrogramsPerMilliliter) {
    if powered { hardware.advance(to: t) }
    return (hardware.totalSteps, programmed ?? MicrogramsPerMilliliter(0))
  }

  /// The pump events of one patient step, in the coupling's order: the sample (if the
  /// monitor reported one) as `.vitals`, then one `.patientBolusRequest` per press.
  public static func events(of step: PatientStep) -> [PumpEvent] {
    var out: [PumpEvent] = []
    out.reserveCapacity(step.presses + 1)
    forEachEvent(of: step) { out.append($0) }
    return out
  }

  /// `events(of:)` one at a time, without building the array (a grid step a second: the
  /// array's allocation and release cost more than the step's other bookkeeping).
  public static func forEachEvent(of step: PatientStep, _ body: (PumpEvent) -> Void) {
    if let s = step.sample { body(.vitals(s)) }
    for _ in 0..<step.presses { body(.patientBolusRequest) }
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
