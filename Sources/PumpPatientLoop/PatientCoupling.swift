import PumpCore
import PumpPatient

/// The patient's side of the closed loop, the one coupling of pump and patient: on a fixed grid
/// (the monitor's period, 1 s by default), the drug the mechanism moved since the last grid
/// instant (motor steps × concentration ÷ steps/mL, never the command) enters the patient's PK
/// at a constant rate over the step, and the step's monitor sample and presses come back for
/// the pump. `ClosedLoop` (offline) and pumpsim's simulated world both step it; each delivers
/// the sample and presses to its controller its own way (directly, or as journaled inputs).
public struct PatientCoupling: Sendable {
  public private(set) var patient: Patient
  /// Grid step.
  public let step: Milliseconds
  /// Drug handed to the patient so far, µg. Whole micrograms: the remainder is carried (in
  /// µg × steps/mL), so rounding never accumulates and the patient lags the mechanism by less
  /// than 1 µg.
  public private(set) var handedOver: Int64 = 0
  /// Mechanism position (motor steps since power-on) at the last grid instant.
  public private(set) var mechanismSteps: Int64
  /// Drug not yet handed over, in µg × steps/mL (< stepsPerMilliliter).
  public private(set) var remainder: Int64
  public let stepsPerMilliliter: Int64
  /// The reservoir's concentration as last seen programmed: the drug the mechanism moves in
  /// the step during which the prescription is cleared (a `stop`) is still that drug.
  public private(set) var reservoir = MicrogramsPerMilliliter(0)

  /// A coupling whose mechanism stands at `mechanismSteps` (drug moved before it started is not
  /// the patient's), with the remainder `remainder` carried over (0 for a new course).
  public init(
    patient: Patient, stepsPerMilliliter: Int64, mechanismSteps: Int64,
    step: Milliseconds = .seconds(1), remainder: Int64 = 0, handedOver: Int64 = 0
  ) {
    self.patient = patient
    self.step = Milliseconds(max(step.rawValue, 1))
    self.stepsPerMilliliter = max(stepsPerMilliliter, 1)
    self.mechanismSteps = mechanismSteps
    self.remainder = remainder
    self.handedOver = handedOver
  }

  /// The next grid instant.
  /// (Inlinable: a getter call from a caller holding the coupling `inout` copies the patient.)
  @inlinable public var nextInstant: Milliseconds { patient.now + step }

  /// Drug moved by `steps` motor steps of a reservoir at `concentration`, as whole µg plus the
  /// carried remainder: (remainder + steps × c) ÷ stepsPerMilliliter.
  mutating func take(steps: Int64, concentration: MicrogramsPerMilliliter) -> Int64 {
    guard steps > 0, concentration.rawValue > 0 else { return 0 }
    let (product, overflow) = steps.multipliedReportingOverflow(by: concentration.rawValue)
    if overflow {
      // Never on a real course (2^63 µg·steps/mL); whole µg only, remainder kept.
      return Arith.mulDivFloor(steps, concentration.rawValue, stepsPerMilliliter)
    }
    let total = remainder + product
    remainder = total % stepsPerMilliliter
    return total / stepsPerMilliliter
  }

  /// One grid step to `nextInstant`: the mechanism stands at `mechanismSteps` there, with a
  /// reservoir at `concentration` (0 when nothing is programmed: the last programmed
  /// concentration is used for what the mechanism still moved). Returns the monitor's sample
  /// and the presses of the step.
  public mutating func advance(
    mechanismSteps now: Int64, concentration: MicrogramsPerMilliliter
  ) -> PatientStep {
    let t = nextInstant
    if concentration.rawValue > 0 { reservoir = concentration }
    let micrograms = take(steps: now - mechanismSteps, concentration: reservoir)
    mechanismSteps = now
    handedOver += micrograms
    return patient.advance(to: t, delivered: Micrograms(micrograms))
  }

  /// Moves the patient to `t` (≥ its clock) in one step with the drug the mechanism moved since
  /// the coupling last saw it (now at `mechanismSteps`, reservoir at `concentration`), off the
  /// grid and without a sample or presses for the pump: the catch-up of a resumed patient over
  /// time whose inputs the pump already has (docs/PATIENT.md "pumpsim"). Returns the µg handed.
  @discardableResult
  public mutating func resume(
    to t: Milliseconds, mechanismSteps now: Int64, concentration: MicrogramsPerMilliliter
  ) -> Int64 {
    let micrograms = take(steps: now - mechanismSteps, concentration: concentration)
    mechanismSteps = now
    handedOver += micrograms
    if t > patient.now {
      _ = patient.advance(to: t, delivered: Micrograms(micrograms))
    } else if micrograms > 0 {
      _ = patient.advance(to: patient.now, delivered: Micrograms(micrograms))
    }
    return micrograms
  }
}
