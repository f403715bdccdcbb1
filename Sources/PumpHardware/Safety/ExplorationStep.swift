import PumpCore

/// One input of an exploration, in the vocabulary of the trace format (docs/TRACES.md), so a
/// counterexample prints as a ready-to-run trace.
public enum ExplorationStep: Sendable, Equatable {
  public enum Command: Sendable, Equatable {
    case program, confirm, start, stop, pause, resume, acknowledge, audioPause, reset
    case rate(MicrogramsPerHour)
    case bolus(Micrograms)
  }
  /// The hardware injections of the trace format and the firmware (`HardwareInjection`).
  public typealias Injection = HardwareInjection

  /// Time passes (the next line is this much later).
  case wait(Milliseconds)
  case vitals(sbp: Int32?, dbp: Int32?, hr: Int32?, spo2: Int32?, rr: Int32?)
  case press
  case command(Command)
  case inject(Injection)
  case powerLost
  case powerRestored(selfTestPassed: Bool)
  case link(up: Bool)
  case clockAdvance(Milliseconds)

  public var sample: VitalsSample? {
    if case .vitals(let s, let d, let h, let o, let r) = self {
      return VitalsSample(sbp: s, dbp: d, hr: h, spo2: o, rr: r)
    }
    return nil
  }
}

extension ExplorationStep.Command {
  /// The controller event (`program` sends the exploration's one prescription).
  func event(_ rx: Prescription) -> PumpEvent {
    switch self {
    case .program: .program(rx)
    case .confirm: .confirmSoftLimits
    case .start: .start
    case .stop: .stop
    case .pause: .pause
    case .resume: .resume
    case .acknowledge: .acknowledgeAlarms
    case .audioPause: .audioPause
    case .reset: .clinicianReset
    case .rate(let r): .changeBasalRate(r)
    case .bolus(let d): .clinicianBolus(d)
    }
  }
}

/// A pump under exploration: the rig, power, and the invariant checker, stepped exactly as
/// offline trace replay steps (PumpReplay's OfflineDriver): each input at its time after
/// `advance`, injections read by a control step at the same instant, time between inputs by
/// `catchUp` (deadlines only).
public struct ExplorationHarness: Sendable {
  public var rig: PumpRig
  public var invariants = SafetyInvariants()
  public var powered = true
  public let prescription: Prescription
  /// Simulated time of the next input.
  public private(set) var clock: Milliseconds = .zero
  public private(set) var violation: SafetyInvariants.Violation? = nil
  public private(set) var inputs: Int64 = 0

  public init(profile: HardwareProfile, formulary: Formulary, prescription: Prescription) {
    rig = PumpRig(
      controller: PumpController(
        profile: profile, formulary: formulary, now: .zero, eventLogCapacity: 64,
        faultLogCapacity: 16),
      hardware: SimulatedHardware(profile: profile, now: .zero))
    self.prescription = prescription
    send(.selfTestResult(passed: true))
  }

  /// Every controller call's time and effects, in order, while `recordsCalls` is set (for
  /// tests comparing two pumps call by call; the test empties it as it reads).
  public var recordsCalls = false
  public var calls: [(time: Milliseconds, effects: [Effect])] = []

  /// Every controller call as the checker saw it, in order, while `recordsControllers` is set
  /// (for tests running a second checker over the same calls; the test empties it as it
  /// reads): `invariants.observe` ran on each, then `afterEvent` on one that carries an event.
  public var recordsControllers = false
  public var controllers: [ObservedCall] = []

  /// One controller call: the controller after it, and, for an event's own call, the event
  /// and its result.
  public struct ObservedCall: Sendable {
    public var controller: PumpController
    public var hardwareFollowsCommand: Bool
    public var event: PumpEvent? = nil
    public var rejection: Rejection? = nil
  }

  mutating func send(_ e: PumpEvent) {
    var r: Rejection? = nil
    let t = clock
    drive { rig, o in r = rig.send(e, at: t, observe: o) }
    if violation == nil { violation = invariants.afterEvent(e, rejection: r, &rig.controller) }
    if recordsControllers {
      controllers[controllers.count - 1].event = e
      controllers[controllers.count - 1].rejection = r
    }
  }

  mutating func drive(_ body: (inout PumpRig, PumpRig.Observer) -> Void) {
    var inv = invariants
    var v = violation
    var trail = calls
    calls = []
    var seen = controllers
    controllers = []
    let records = recordsCalls
    let recordsSeen = recordsControllers
    let runaway = rig.hardware.motorRunaway || rig.hardware.sensorFailed
    body(&rig) { c in
      if v == nil { v = inv.observe(&c, hardwareFollowsCommand: !runaway) }
      if records { trail.append((c.now, c.effects)) }
      if recordsSeen { seen.append(ObservedCall(controller: c, hardwareFollowsCommand: !runaway)) }
    }
    invariants = inv
    violation = v
    calls = trail
    controllers = seen
  }

  /// Applies one step; returns the first violation so far.
  @discardableResult
  public mutating func apply(_ s: ExplorationStep) -> SafetyInvariants.Violation? {
    inputs += 1
    let t = clock
    switch s {
    case .wait(let d), .clockAdvance(let d):
      let to = clock + d
      clock = to
      if powered { drive { rig, o in rig.catchUp(to: to, observe: o) } }
      return violation
    default: break
    }
    if !powered {
      switch s {
      case .powerRestored(let passed):
        powered = true
        drive { rig, o in rig.powerRestored(at: t, selfTestPassed: passed, observe: o) }
      case .inject(let i): inject(i)
      default: break
      }
      return violation
    }
    switch s {
    case .vitals:
      if let v = s.sample { send(.vitals(v)) }
    case .press: send(.patientBolusRequest)
    case .command(let c): send(c.event(prescription))
    case .inject(.fault(let f)): send(.fault(f))
    case .inject(let i):
      drive { rig, o in rig.advance(to: t, observe: o) }
      inject(i)
      drive { rig, o in rig.step(at: t, observe: o) }
    case .powerLost:
      drive { rig, o in rig.powerLost(at: t, observe: o) }
      powered = false
    case .powerRestored: break
    case .link(let up): send(.hostLink(connected: up))
    case .wait, .clockAdvance: break
    }
    return violation
  }

  mutating func inject(_ i: ExplorationStep.Injection) { rig.hardware.apply(i) }

}
