/// The ketamine PCA controller: a deterministic state machine advanced only by events and the
/// control tick, with time passed in (never read). Pure: no I/O, no allocation in the control
/// step once running, no Foundation. Effects of each call are in `effects`, and in `log`.
///
/// Call order per control tick (firmware and replayer alike, see `PumpRig`): move the hardware,
/// `tick(now:readings:)` with its readings, then drive the motor at `commandedRate`. Between ticks an event-driven caller may jump the clock, but never past
/// `nextDeadline(now:)`.
public struct PumpController: Sendable {
  /// The pump model and the drug library, fixed for the controller's life.
  public var profile: HardwareProfile { fixed.profile }
  public var formulary: Formulary { fixed.formulary }
  /// Both behind one shared, immutable reference: they are ~40 % of the controller's bytes, and
  /// the controller is copied whole whenever a caller that holds it `inout` (PumpRig, the
  /// firmware machine) passes it to a function or an observer.
  let fixed: Fixed
  public internal(set) var mode: Mode = .selfTest
  /// After a power cycle: the mode the passed self-test returns to (nil on first power-on).
  var resumeAfterSelfTest: Mode? = nil
  public internal(set) var modeSince: Milliseconds
  public internal(set) var now: Milliseconds
  /// Power-on time: the origin of the control-tick grid.
  public let origin: Milliseconds

  /// The active prescription, and one awaiting soft-limit confirmation.
  public internal(set) var prescription: Prescription? = nil
  public internal(set) var pending: Prescription? = nil
  public internal(set) var pendingSoftViolations: UInt32 = 0
  public internal(set) var policy: VitalsPolicy {
    didSet {
      vitals.keepNormalBounds(of: policy)  // In both inits too: no observer runs there.
      #if !hasFeature(Embedded)
        vitalsMoved = true
      #endif
    }
  }
  /// The basal rate in force (titration changes it), and its motor rate.
  public internal(set) var basalRate: MicrogramsPerHour = .zero
  var basalVolumeRate: MicrolitersPerHour = .zero
  /// When the basal in force last rose, and the rate last in force in a therapy (kept after a
  /// stop): a new therapy may not start above it inside the rate-increase interval, so stop,
  /// program and start is not a way round the interval (REQ-RX-RATE-INCREASE-03). A fresh pump
  /// has had no increase: "never" is a time far enough back that no interval reaches it.
  var lastRateIncrease: Milliseconds = PumpController.noRateIncrease
  var lastBasalInForce: MicrogramsPerHour = .zero

  public internal(set) var commandedRate: MicrolitersPerHour = .zero
  /// In KVO with the motor held at zero because even KVO would break a window limit.
  public internal(set) var kvoHeld = false

  var bolus: ActiveBolus? = nil
  var suspendedClinicianBolus: ActiveBolus? = nil
  var grantTimes: [Milliseconds]
  var grantCursor = 0
  public internal(set) var lastPatientGrant: Milliseconds? = nil
  public internal(set) var bolusDemands: Int64 = 0
  public internal(set) var bolusGrants: Int64 = 0
  public internal(set) var bolusDenials: Int64 = 0

  public internal(set) var ledger: DoseLedger
  var infusedBaseNanoliters: Int64 = 0
  var flow: FlowMonitor
  var vitals = VitalsMonitor()
  public internal(set) var alarms = AlarmSystem()
  public internal(set) var sensors = SensorState()
  /// A vitals interlock stop is latched until a clinician reset with the condition gone; stop,
  /// program, start and power cycles do not release it (REQ-SAFE-LATCH-01).
  public internal(set) var interlockLatched = false
  /// Sensors whose last reading was implausible (bit per `SensorKind`); a second implausible
  /// reading in a row confirms a sensor failure (REQ-SENSOR-PLAUSIBLE-01).
  var implausibleSensors: UInt8 = 0
  /// Sensors (bit per `SensorKind`) whose held value in `sensors` was stored from a plausible
  /// reading, with no implausible reading since (`takeSensor` sets and clears the bits; a
  /// restored controller starts with none). Not in the snapshot.
  var heldSensors: UInt8 = 0
  /// Volume the motor pushed while the downstream pressure was above 10 % of its alarm limit
  /// (stored in the line's compliance), and whether it reached the alarm limit.
  var occlusionPushedNanoliters: Int64 = 0
  var occlusionBatchNanoliters: Int64 = 0
  var occlusionEpisode = false
  /// The bolus released when the last downstream occlusion cleared (IEC 60601-2-24 measures it;
  /// REQ-HW-OCCLUSION-03), and when.
  public internal(set) var occlusionRelease: Microliters = .zero
  public internal(set) var occlusionReleaseAt: Milliseconds? = nil
  /// The bolus share of the motor command in force (µL/h), for crediting measured volume.
  var commandedBolusRate: MicrolitersPerHour = .zero

  #if DEBUG
    /// Test-only switch that deliberately breaks one safety rule, to show that the invariants and
    /// explorers catch it (issue 12). Never present in release or Embedded builds.
    public var debugBrokenRule: DebugBrokenRule? = nil {
      didSet {
        settledAt = nil  // It changes what `evaluate` concludes.
        #if !hasFeature(Embedded)
          vitalsMoved = true
        #endif
      }
    }
    /// Test-only reference path: every accepted event runs the full `evaluate`, never the
    /// settled-vitals shortcut, and no other shortcut of issue 14 is taken either (`begin`
    /// moves the flow accrual and the dose windows at every call, the ledger spreads every
    /// report by its loop and advances in full, the next deadline divides every volume
    /// candidate and computes its window-limit masses afresh (so does the motor command,
    /// `regulate`), every vitals reading runs the run logic of its track, every control-step
    /// reading is taken through the general loop, the interlock and the hardware alarms are
    /// assessed in full, the bolus volume is computed afresh, and the deadline's headroom and
    /// grid divisions always run); the differential tests compare both.
    public var debugAlwaysEvaluate = false {
      didSet { ledger.debugReferencePath = debugAlwaysEvaluate }
    }
    /// Calls that took the settled-vitals shortcut (tests: the shortcut is exercised).
    public internal(set) var debugEvaluationsSkipped: Int64 = 0
    /// Entry points at an instant no later than `now`, which left the flow accrual and the dose
    /// windows alone (tests: the shortcut is exercised).
    public internal(set) var debugSameInstantBegins: Int64 = 0
    /// Deadline computations that skipped the volume candidates, and that kept the headroom
    /// masses (tests: the shortcuts are exercised).
    public internal(set) var debugDeadlineVolumesSkipped: Int64 = 0
    public internal(set) var debugHeadroomMassesKept: Int64 = 0
    /// Control-step readings that repeated a held value and were passed over (`heldUnchanged`).
    public internal(set) var debugHeldReadingsSkipped: Int64 = 0
    /// Control steps whose readings came in the rig's order and were compared slot by slot
    /// (`takeRigReadings`).
    public internal(set) var debugRigOrderSteps: Int64 = 0
    /// Vitals readings taken as quiet (`VitalsMonitor.takeQuietReadings`).
    public var debugQuietSamples: Int64 { vitals.tracks.reduce(0) { $0 + $1.debugQuietSamples } }
  #endif

  /// The instant of the last full `evaluate`, while nothing has changed since (nil once any
  /// entry point starts: `begin`). A vitals sample at that same instant that changes no
  /// vital's confirmed level or staleness leaves every input of `evaluate` as that run left
  /// them, so running it again would change nothing (docs/PERFORMANCE.md, "Settled vitals").
  var settledAt: Milliseconds? = nil
  /// Set by `takeVitals`: the sample changed a vital's confirmed level or staleness.
  var vitalsAssessmentChanged = true

  public internal(set) var effects: [Effect] = []
  public internal(set) var log: EventLog
  public internal(set) var faultLog: EventLog
  var sequence: UInt32 = 0
  /// `nextDeadline()` of the state as it stands, once asked (`cachedNextDeadline`); every entry
  /// point drops it in `begin`, before it changes anything.
  var cachedDeadline: Milliseconds? = nil
  /// The window-limit masses at the last rate asked for (`HeadroomMasses`): the deadline's at
  /// the commanded rate, the motor command's at the wanted rate.
  var headroomMasses = HeadroomMasses()
  #if DEBUG
    /// Deadline computations that took the stale candidates from the required vitals' bits
    /// (`considerStaleDeadlines`; tests: the shortcut is exercised).
    public internal(set) var debugStaleBitLoops: Int64 = 0
    /// Deadline computations that passed over the headroom candidate's division, and that
    /// aligned to the grid from the least candidate alone (tests: the shortcuts are exercised).
    public internal(set) var debugDeadlineHeadroomSkipped: Int64 = 0
    public internal(set) var debugDeadlineGridDirect: Int64 = 0
    /// Control steps whose hardware alarm conditions were passed over (`evaluateHardware`), and
    /// expected consumptions that used the kept bolus volume (tests: the shortcuts are taken).
    public internal(set) var debugHardwareChecksSkipped: Int64 = 0
    public internal(set) var debugBolusVolumesKept: Int64 = 0
    /// Control steps and events whose vitals interlock assessment was passed over
    /// (`evaluateVitals`; tests: the shortcut is taken).
    public internal(set) var debugVitalsAssessmentsSkipped: Int64 = 0
  #endif
  /// The prescription's bolus volume, nL, with the dose (µg) and concentration (µg/mL) it was
  /// computed from (`expectedConsumptionRate`; not in the snapshot: −1 is no dose).
  var bolusVolume: (dose: Int64, concentration: Int64, nanoliters: Int64) = (-1, -1, 0)
  #if !hasFeature(Embedded)
    /// Host builds (`evaluateHardware`): a reading other than motor steps was stored since the
    /// hardware alarms' conditions were last set (`takeSensor`), and the expected consumption
    /// and those alarms' condition bits that run left. Not in the snapshot: a restored
    /// controller sets them afresh at its first step.
    var hardwareReadingsChanged = true
    var hardwareCheckedExpected: Int64 = -1
    var hardwareCheckedConditions: UInt64 = 0
    /// Host builds (`evaluateVitals`): a vitals sample moved a confirmed level or a staleness,
    /// or the policy changed, since the interlock was last assessed in full; and what that run
    /// read and left: the earliest stale deadline after its `now` (no staleness changes before
    /// it), the watch start, whether therapy was watched, the latch, and the three vitals
    /// alarms' condition bits. Not in the snapshot: a restored controller assesses afresh.
    var vitalsMoved = true
    var vitalsCheckedUntil = Milliseconds(Int64.min)
    var vitalsCheckedSince = Milliseconds(Int64.min)
    var vitalsCheckedWatching = false
    var vitalsCheckedLatched = false
    var vitalsCheckedConditions: UInt64 = 0
  #endif

  /// Powers on in self-test.
  public init(
    profile: HardwareProfile, formulary: Formulary, now: Milliseconds,
    eventLogCapacity: Int = 1500, faultLogCapacity: Int = 150
  ) {
    fixed = Fixed(profile: profile, formulary: formulary)
    self.now = now
    origin = now
    modeSince = now
    policy = formulary.acutePostOp
    vitals.keepNormalBounds(of: policy)
    ledger = DoseLedger(stepsPerMilliliter: profile.stepsPerMilliliter, now: now)
    flow = FlowMonitor(now: now, window: profile.flowWindowBasal)
    grantTimes = [Milliseconds](
      repeating: Milliseconds(Int64.min / 2), count: Int(PrescriptionField.maxBolusesPerHourBound))
    log = EventLog(capacity: eventLogCapacity)
    faultLog = EventLog(capacity: faultLogCapacity)
    effects.reserveCapacity(32)
    sensors.reservoir = profile.reservoirVolume
  }

  // MARK: Entry points

  /// Handles one event at `now`. Returns nil when accepted, or why it was rejected (then nothing
  /// changed but the log, which records the rejection).
  @discardableResult
  public mutating func handle(_ event: PumpEvent, now t: Milliseconds) -> Rejection? {
    let settled = settledAt
    begin(t)
    let rejection: Rejection?
    if case .vitals(let s) = event {
      // Every mode takes a monitor sample (as `dispatch` would): no mode gates, no copy of the
      // whole event into `dispatch`.
      takeVitals(s)
      rejection = nil
    } else {
      rejection = dispatch(event)
    }
    if let r = rejection {
      record(.rejected(EventKind(event), r))
    } else if settled == now, case .vitals = event, !vitalsAssessmentChanged, !alwaysEvaluate {
      // Settled: the last call evaluated at this instant and this sample changed nothing
      // `evaluate` reads (see `settledAt`); the state stays settled.
      settledAt = now
      #if DEBUG
        debugEvaluationsSkipped += 1
      #endif
    } else {
      evaluate()
    }
    return rejection
  }

  var alwaysEvaluate: Bool {
    #if DEBUG
      return debugAlwaysEvaluate
    #else
      return false
    #endif
  }

  /// The control step: the hardware's readings since the last step (motor steps first), then
  /// timers, staleness, windows, limits and the motor command, evaluated once.
  public mutating func tick(now t: Milliseconds, readings: [SensorReading] = []) {
    begin(t)
    #if !hasFeature(Embedded)
      let taken = takeRigReadings(readings)
    #else
      let taken = false
    #endif
    if !taken {
      for r in readings where !heldUnchanged(r) { takeReading(r) }
    }
    evaluate()
  }

  mutating func begin(_ t: Milliseconds) {
    cachedDeadline = nil
    settledAt = nil
    // Most calls of a steady infusion leave no effects: emptying an empty array is a call
    // into the standard library (a uniqueness check and a range replacement) for nothing.
    if !effects.isEmpty { effects.removeAll(keepingCapacity: true) }
    // The flow accrual and the dose windows are at `now` since the call that set it (or the
    // power-on), so only a later instant moves them (at 1 Hz the vitals sample and the control
    // step share each instant).
    if t > now || alwaysEvaluate {
      if t > now { now = t }
      flow.accrue(now: now)
      ledger.advance(to: now)
    } else {
      #if DEBUG
        debugSameInstantBegins += 1
      #endif
    }
    alarms.expireAudioPause(now: now)
  }

  private mutating func dispatch(_ event: PumpEvent) -> Rejection? {
    if case .fault(let f) = mode {
      _ = f
      switch event {
      case .vitals, .sensor, .hostLink, .linkSecurity, .acknowledgeAlarms, .audioPause: break
      case .fault(let code):
        enterFault(code)
        return nil
      default: return .faulted
      }
    }
    if mode == .selfTest {
      switch event {
      case .selfTestResult, .vitals, .sensor, .hostLink, .linkSecurity, .fault: break
      default: return .notAllowedInMode
      }
    }
    switch event {
    case .program(let p): return program(p)
    case .confirmSoftLimits: return confirmSoftLimits()
    case .start: return start()
    case .pause: return pause()
    case .resume: return resume()
    case .stop: return stopTherapy()
    case .changeBasalRate(let r): return changeBasalRate(r)
    case .patientBolusRequest:
      requestPatientBolus()
      return nil
    case .clinicianBolus(let d): return clinicianBolus(d)
    case .vitals(let s):
      takeVitals(s)
      return nil
    case .sensor(let r): return takeSensor(r)
    case .acknowledgeAlarms:
      return acknowledgeAll() ? nil : .nothingToAcknowledge
    case .audioPause:
      if let r = alarms.pauseAudio(now: now, for: profile.maxAudioPause) { return r }
      record(.audioPaused(until: now + profile.maxAudioPause))
      return nil
    case .selfTestResult(let passed):
      guard mode == .selfTest else { return .notAllowedInMode }
      if passed {
        let to = resumeAfterSelfTest ?? .idle
        transition(to: to, resumeAfterSelfTest == nil ? .selfTestPassed : .restored)
      } else {
        enterFault(.selfTest)
      }
      resumeAfterSelfTest = nil
      return nil
    case .clinicianReset: return clinicianReset()
    case .hostLink(let connected):
      setAlarm(.hostLinkLost, !connected)
      return nil
    case .linkSecurity(let alert):
      setAlarm(.linkSecurity, alert)
      return nil
    case .fault(let code):
      enterFault(code)
      return nil
    }
  }

  // MARK: Effects and transitions

  mutating func record(_ e: Effect) {
    effects.append(e)
    sequence &+= 1
    let entry = LogEntry(sequence: sequence, time: now, effect: e)
    log.append(entry)
    switch e {
    case .alarmRaised(let c) where c.priority == .high: faultLog.append(entry)
    case .modeChanged(_, .fault, _): faultLog.append(entry)
    default: break
    }
  }

  mutating func transition(to m: Mode, _ reason: ModeReason) {
    guard m != mode else { return }
    let from = mode
    mode = m
    modeSince = now
    record(.modeChanged(from: from, to: m, reason: reason))
  }

  /// Sets an alarm's condition; records the raise, break-through or clear it causes. Called for
  /// every alarm on every control step: an unchanged condition returns at once (inline).
  @inline(__always) mutating func setAlarm(_ code: AlarmCode, _ present: Bool) {
    if alarms.isUnchanged(code, present) { return }
    changeAlarm(code, present)
  }

  private mutating func changeAlarm(_ code: AlarmCode, _ present: Bool) {
    switch alarms.set(code, present, now: now) {
    case .none: break
    case .raised(let broke):
      record(.alarmRaised(code))
      if broke { record(.audioPauseBroken(by: code)) }
    case .cleared: record(.alarmCleared(code))
    }
  }

  /// Acknowledges one alarm (or every active one); records the effects.
  @discardableResult
  mutating func acknowledge(_ code: AlarmCode) -> Bool {
    let (acked, cleared) = alarms.acknowledge(code)
    if acked { record(.alarmAcknowledged(code)) }
    if cleared { record(.alarmCleared(code)) }
    return acked
  }

  mutating func acknowledgeAll() -> Bool {
    var any = false
    for code in AlarmCode.allCases where alarms.isActive(code) && !alarms[code].acknowledged {
      any = acknowledge(code) || any
    }
    return any
  }

  mutating func enterFault(_ code: FaultCode) {
    if case .fault = mode {
      abortBolus()
      suspendedClinicianBolus = nil
    } else {
      stopDelivery(to: .fault(code), .fault, clearDoseLimit: false)
    }
    setAlarm(code.alarm, true)
    command(.zero)
  }

  /// The one routine that stops delivery: the running bolus is aborted (logged with the dose not
  /// given), a pre-empted clinician bolus is dropped, the dose-limit alarm ends with the
  /// delivery, the mode changes, and the motor is commanded to zero in the same call.
  mutating func stopDelivery(to m: Mode, _ reason: ModeReason, clearDoseLimit: Bool = true) {
    abortBolus()
    suspendedClinicianBolus = nil
    if clearDoseLimit { setAlarm(.doseLimit, false) }
    transition(to: m, reason)
    command(.zero)
  }

  /// Sets the motor command, recording a change.
  mutating func command(_ r: MicrolitersPerHour) {
    guard r != commandedRate else { return }
    commandedRate = r
    flow.restart(
      now: now, rate: r, window: bolus == nil ? profile.flowWindowBasal : profile.flowWindowBolus)
    record(.motor(r))
  }
}

/// A bolus (loading, patient or clinician) being delivered.
struct ActiveBolus: Equatable, Sendable {
  var phase: InfusionPhase
  var dose: Micrograms
  var targetNanoliters: Int64
  var deliveredNanoliters: Int64 = 0

  var remainingNanoliters: Int64 { max(targetNanoliters - deliveredNanoliters, 0) }
}

/// The latest hardware sensor values.
public struct SensorState: Equatable, Sendable {
  public var upstreamPressure: MilliPSI = .zero
  public var downstreamPressure: MilliPSI = .zero
  public var airBubble: Microliters = .zero
  public var doorOpen = false
  public var reservoir: Microliters = .zero
  public var batteryRemaining: Milliseconds = .hours(100)
  public var onMains = true
}

extension PumpController {
  /// The controller's immutable configuration (see `PumpController.fixed`).
  final class Fixed: Sendable {
    let profile: HardwareProfile
    let formulary: Formulary

    init(profile: HardwareProfile, formulary: Formulary) {
      self.profile = profile
      self.formulary = formulary
    }
  }
}
