import PumpCore
import PumpHardware
import PumpPatient

/// The pump and the patient in one offline loop, stepped on a fixed grid (the monitor's
/// period, 1 s by default): the rig runs to the grid instant, the drug its motor actually moved
/// (motor steps × concentration, not the command) enters the patient's PK as a constant rate
/// over the step (`PatientCoupling`), and the patient's monitor sample and button presses go
/// back to the controller as `.vitals` and `.patientBolusRequest` events at that instant.
public struct ClosedLoop: Sendable {
  public var rig: PumpRig
  /// The patient side (shared with pumpsim's simulated world).
  public private(set) var coupling: PatientCoupling
  /// Concentration of the drug in the reservoir.
  public let concentration: MicrogramsPerMilliliter
  /// Vitals samples sent to the controller.
  public private(set) var samplesSent: Int64 = 0
  /// The first grid instant at which the controller was in `interlockStopped`, if any.
  public private(set) var firstInterlockStop: Milliseconds? = nil

  public init(
    rig: PumpRig, patient: Patient, concentration: MicrogramsPerMilliliter,
    step: Milliseconds = .seconds(1)
  ) {
    self.rig = rig
    self.concentration = concentration
    // Drug moved before the loop started is not the patient's; the rounding is carried as if
    // counted from power-on (the patient gets the floor of the cumulative delivery).
    var c = PatientCoupling(
      patient: patient, stepsPerMilliliter: rig.hardware.profile.stepsPerMilliliter,
      mechanismSteps: 0, step: step)
    let before = c.take(steps: rig.hardware.totalSteps, concentration: concentration)
    coupling = PatientCoupling(
      patient: patient, stepsPerMilliliter: c.stepsPerMilliliter,
      mechanismSteps: rig.hardware.totalSteps, step: step, remainder: c.remainder,
      handedOver: before)
  }

  public var patient: Patient { coupling.patient }
  /// Grid step.
  public var step: Milliseconds { coupling.step }
  /// Drug handed to the patient so far, µg: the floor of the mechanism's cumulative delivery,
  /// so rounding never accumulates (it lags by less than 1 µg).
  public var handedOver: Int64 { coupling.handedOver }

  /// Drug the mechanism has moved since power-on, µg, rounded down:
  /// steps × (µg/mL) / (steps/mL).
  public var deliveredByMechanism: Int64 {
    let steps = rig.hardware.totalSteps
    let spm = max(rig.hardware.profile.stepsPerMilliliter, 1)
    let (product, overflow) = steps.multipliedReportingOverflow(by: concentration.rawValue)
    if overflow || product < 0 {
      return Arith.mulDivFloor(steps, concentration.rawValue, spm)
    }
    return product / spm
  }

  /// One grid step: the rig runs to the grid instant, then the coupling's step
  /// (`PatientCoupling.step(mechanism:)`: sample first, then presses).
  public mutating func advance() {
    rig.advance(to: coupling.nextInstant)
    let t = coupling.nextInstant
    let out = coupling.advance(
      mechanismSteps: rig.hardware.totalSteps, concentration: concentration)
    PatientCoupling.forEachEvent(of: out) { e in
      if case .vitals = e {
        // The rig is at t already: the controller takes the sample and the motor follows, as
        // `PumpRig.send` does, without a second search for deadlines.
        rig.controller.handle(e, now: t)
        rig.hardware.command(rig.controller.commandedRate)
        samplesSent += 1
      } else {
        rig.send(e, at: t)
      }
    }
    if firstInterlockStop == nil, rig.controller.mode == .interlockStopped {
      firstInterlockStop = t
    }
  }

  /// Steps until the patient's clock reaches `t`.
  public mutating func run(until t: Milliseconds) {
    while coupling.nextInstant <= t { advance() }
  }

  /// Steps until the patient's clock reaches `t`, calling `observe` with the loop after every
  /// step (the loop is lent, not copied).
  public mutating func run(until t: Milliseconds, observe: (borrowing ClosedLoop) -> Void) {
    while coupling.nextInstant <= t {
      advance()
      observe(self)
    }
  }
}
