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
  /// The first grid instant at which the controller was in `interlockStopped`, if any.
  public private(set) var firstInterlockStop: Milliseconds? = nil
  private let stepsPerMilliliter: Int64

  public init(
    rig: PumpRig, patient: Patient, concentration: MicrogramsPerMilliliter,
    step: Milliseconds = .seconds(1)
  ) {
    self.rig = rig
    self.patient = patient
    self.concentration = concentration
    self.step = Milliseconds(max(step.rawValue, 1))
    stepsPerMilliliter = max(rig.hardware.profile.stepsPerMilliliter, 1)
    handedOver = deliveredByMechanism
  }

  /// Drug the mechanism has moved since power-on, µg, rounded down:
  /// steps × (µg/mL) / (steps/mL).
  public var deliveredByMechanism: Int64 {
    let steps = rig.hardware.totalSteps
    let (product, overflow) = steps.multipliedReportingOverflow(by: concentration.rawValue)
    if overflow || product < 0 {
      return Arith.mulDivFloor(steps, concentration.rawValue, stepsPerMilliliter)
    }
    return product / stepsPerMilliliter
  }

  /// One grid step.
  public mutating func advance() {
    let t = patient.now + step
    rig.advance(to: t)
    let total = deliveredByMechanism
    let out = patient.advance(to: t, delivered: Micrograms(total - handedOver))
    handedOver = total
    if let sample = out.sample {
      // The rig is at t already: the controller takes the sample and the motor follows, as
      // `PumpRig.send` does, without a second search for deadlines.
      rig.controller.handle(.vitals(sample), now: t)
      rig.hardware.command(rig.controller.commandedRate)
      samplesSent += 1
    }
    for _ in 0..<out.presses { rig.send(.patientBolusRequest, at: t) }
    if firstInterlockStop == nil, rig.controller.mode == .interlockStopped {
      firstInterlockStop = t
    }
  }

  /// Steps until the patient's clock reaches `t`.
  public mutating func run(until t: Milliseconds) {
    while patient.now + step <= t { advance() }
  }

  /// Steps until the patient's clock reaches `t`, calling `observe` with the loop after every
  /// step (the loop is lent, not copied).
  public mutating func run(until t: Milliseconds, observe: (borrowing ClosedLoop) -> Void) {
    while patient.now + step <= t {
      advance()
      observe(self)
    }
  }
}
