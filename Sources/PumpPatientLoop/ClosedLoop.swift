import PumpCore
import PumpHardware
import PumpPatient

/// The pump and the patient in one offline loop, stepped on a fixed grid (the monitor's
/// period, 1 s by default): the rig runs to the grid instant, the drug its motor actually moved
/// (motor steps × concentration, not the command) enters the patient's PK as a constant rate
/// over the step, and the patient's monitor sample and button presses go back to the
/// controller as `.vitals` and `.patientBolusRequest` events at that instant.
public struct ClosedLoop: Sendable {
  public var rig: PumpRig
  public var patient: Patient
  /// Concentration of the drug in the reservoir.
  public let concentration: MicrogramsPerMilliliter
  /// Grid step.
  public let step: Milliseconds
  /// Drug handed to the patient so far, µg: the floor of the mechanism's cumulative delivery,
  /// so rounding never accumulates (it lags by less than 1 µg).
  public private(set) var handedOver: Int64 = 0
  /// Vitals samples sent to the controller.
  public private(set) var samplesSent: Int64 = 0

  public init(
    rig: PumpRig, patient: Patient, concentration: MicrogramsPerMilliliter,
    step: Milliseconds = .seconds(1)
  ) {
    self.rig = rig
    self.patient = patient
    self.concentration = concentration
    self.step = Milliseconds(max(step.rawValue, 1))
    handedOver = deliveredByMechanism
  }

  /// Drug the mechanism has moved since power-on, µg, rounded down:
  /// steps × (µg/mL) / (steps/mL).
  public var deliveredByMechanism: Int64 {
    Arith.mulDivFloor(
      rig.hardware.totalSteps, concentration.rawValue, rig.hardware.profile.stepsPerMilliliter)
  }

  /// One grid step.
  public mutating func advance() {
    let t = patient.now + step
    rig.advance(to: t)
    let total = deliveredByMechanism
    let out = patient.advance(to: t, delivered: Micrograms(total - handedOver))
    handedOver = total
    if let sample = out.sample {
      rig.send(.vitals(sample), at: t)
      samplesSent += 1
    }
    for _ in 0..<out.presses { rig.send(.patientBolusRequest, at: t) }
  }

  /// Steps until the patient's clock reaches `t`, calling `observe` after every step.
  public mutating func run(
    until t: Milliseconds, observe: (Patient, PumpController) -> Void = { _, _ in }
  ) {
    while patient.now + step <= t {
      advance()
      observe(patient, rig.controller)
    }
  }
}
