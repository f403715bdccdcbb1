/// What is being delivered while infusing. Wire value: the raw value.
public enum InfusionPhase: UInt8, Hashable, Sendable {
  case basal = 0
  case loadingDose = 1
  case patientBolus = 2
  case clinicianBolus = 3
}

/// Why the pump is paused. Wire value: the raw value.
public enum PauseReason: UInt8, Hashable, Sendable {
  case clinician = 0
  /// A stop-action alarm (occlusion, air, door, reservoir empty, battery, over-infusion).
  case alarm = 1
  /// Restarted from the journal: therapy resumes only by a clinician.
  case powerCycle = 2
  /// Back from an interlock stop after a clinician reset.
  case interlockReset = 3
}

/// Controller modes (state chart in docs/architecture.md). Wire value of the case: `code`.
public enum Mode: Hashable, Sendable {
  /// Power-on self-test in progress.
  case selfTest
  /// No prescription.
  case idle
  /// Prescription accepted (possibly awaiting soft-limit confirmation), not started.
  case programmed
  case infusing(InfusionPhase)
  case paused(PauseReason)
  /// Keep-vein-open: a dose limit was reached.
  case kvo
  /// VTBI reached: motor off.
  case complete
  /// Vitals interlock stop, latched until the condition clears and a clinician resets.
  case interlockStopped
  /// Fail-safe: motor off until power cycle.
  case fault(FaultCode)

  /// Wire code of the mode: 0 selfTest, 1 idle, 2 programmed, 3 infusing, 4 paused, 5 kvo,
  /// 6 complete, 7 interlockStopped, 8 fault.
  public var code: UInt8 {
    switch self {
    case .selfTest: 0
    case .idle: 1
    case .programmed: 2
    case .infusing: 3
    case .paused: 4
    case .kvo: 5
    case .complete: 6
    case .interlockStopped: 7
    case .fault: 8
    }
  }

  /// Modes in which the motor may turn.
  public var mayDeliver: Bool {
    switch self {
    case .infusing, .kvo: true
    default: false
    }
  }

  /// Modes in which a therapy is under way (vitals are watched, limits accounted).
  public var therapyActive: Bool {
    switch self {
    case .infusing, .kvo, .paused, .interlockStopped: true
    default: false
    }
  }
}
