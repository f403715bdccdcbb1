// The parent region shared by every mode: sensors, vitals interlock, alarm actions, rolling
// dose limits, flow monitoring, and the motor command.

extension PumpController {
  /// Takes a monitor sample. Notes in `vitalsAssessmentChanged` whether it changed what
  /// `evaluate` reads of the vitals: some vital's confirmed level, or whether it is stale now.
  /// Each vital by name: no switch on `Vital` to find its reading, band or `latest` field.
  ///
  /// On the host the quiet readings (`VitalsMonitor.takeQuietReadings`: two compares against
  /// the band's kept normal range and the track's state) are taken first, all at once; then
  /// every other reading, in `Vital` order (so artifacts are recorded in that order), runs the
  /// run logic of its track (`takeVitalInFull`). The tracks are independent, so the order of the
  /// two passes changes nothing. Every reading of the reference path (`debugAlwaysEvaluate`)
  /// and of the firmware image runs the run logic. Host only: the image is bound by size, not
  /// speed (docs/PERFORMANCE.md, "Decided this session").
  mutating func takeVitals(_ s: VitalsSample) {
    // Whether a vital sampled now is stale now (`isStale` with `lastSample` now): the same for
    // every vital the sample carries.
    let staleWhenTaken = now - max(now, vitals.watchSince) >= policy.staleAfter
    var changed = false
    var quiet: UInt8 = 0
    #if !hasFeature(Embedded)
      if !alwaysEvaluate {
        (quiet, changed) = vitals.takeQuietReadings(
          s, now: now, staleAfter: policy.staleAfter, staleWhenTaken: staleWhenTaken)
      }
    #endif
    if let x = s.sbp {
      vitals.latest.sbp = x
      if quiet & Vital.sbp.bit == 0 {
        changed = takeVitalInFull(.sbp, x, staleWhenTaken: staleWhenTaken) || changed
      }
    }
    if let x = s.dbp {
      vitals.latest.dbp = x
      if quiet & Vital.dbp.bit == 0 {
        changed = takeVitalInFull(.dbp, x, staleWhenTaken: staleWhenTaken) || changed
      }
    }
    if let x = s.hr {
      vitals.latest.hr = x
      if quiet & Vital.hr.bit == 0 {
        changed = takeVitalInFull(.hr, x, staleWhenTaken: staleWhenTaken) || changed
      }
    }
    if let x = s.spo2 {
      vitals.latest.spo2 = x
      if quiet & Vital.spo2.bit == 0 {
        changed = takeVitalInFull(.spo2, x, staleWhenTaken: staleWhenTaken) || changed
      }
    }
    if let x = s.rr {
      vitals.latest.rr = x
      if quiet & Vital.rr.bit == 0 {
        changed = takeVitalInFull(.rr, x, staleWhenTaken: staleWhenTaken) || changed
      }
    }
    vitalsAssessmentChanged = changed
    #if !hasFeature(Embedded)
      if changed { vitalsMoved = true }
    #endif
  }

  /// The run logic of one vital's track for a reading; records the artifact it ends, if any,
  /// and returns whether the reading changed the vital's confirmed level or staleness now.
  mutating func takeVitalInFull(_ v: Vital, _ value: Int32, staleWhenTaken: Bool) -> Bool {
    let i = Int(v.rawValue)
    let before = vitals.tracks[i].confirmed
    let staleBefore = vitals.tracks[i].isStale(
      now: now, since: vitals.watchSince, after: policy.staleAfter)
    if let artifact = vitals.tracks[i].sample(
      value, band: policy[v], persistSamples: policy.persistSamples,
      persistTime: policy.persistTime, now: now)
    {
      record(.vitalsArtifact(v, artifact))
    }
    return vitals.tracks[i].confirmed != before || staleBefore != staleWhenTaken
  }

  /// Plausible line pressure, milli-psi: −15 psi (vacuum) to 100 psi (above any syringe
  /// driver's stall force; our default, unverified). Outside it the sensor is suspect.
  static var plausiblePressure: ClosedRange<Int64> { -15_000...100_000 }

  /// Whether a reading is physically possible for this pump (REQ-SENSOR-PLAUSIBLE-01).
  /// Inlined: its one caller, `takeSensor`, is mutating, and a call copies the controller.
  @inline(__always) func isPlausible(_ r: SensorReading) -> Bool {
    switch r {
    case .upstreamPressure(let p), .downstreamPressure(let p):
      return Self.plausiblePressure.contains(p.rawValue)
    case .airInLine(let v): return v.rawValue >= 0 && v <= profile.reservoirVolume
    case .door, .sensorFailure: return true
    case .reservoir(let v):
      // The plunger cannot report more than the syringe holds (+10 % for its tolerance).
      return v.rawValue >= 0
        && v.rawValue <= profile.reservoirVolume.rawValue + profile.reservoirVolume.rawValue / 10
    case .battery(let remaining, _): return remaining.rawValue >= 0
    case .motorSteps(let n): return n >= 0
    }
  }

  /// An implausible reading is rejected (logged) and never used; the sensor's next reading
  /// confirms it: a second implausible reading in a row is a sensor failure (fault, motor off).
  /// The controller asks for the next control tick meanwhile (`nextDeadline`).
  mutating func takeSensor(_ r: SensorReading) -> Rejection? {
    let bit = SensorKind(r).bit
    guard isPlausible(r) else {
      heldSensors &= ~bit
      // Faulted already: the motor is off until a power cycle, nothing left to confirm.
      if isFaulted {
        implausibleSensors = 0
      } else if implausibleSensors & bit != 0 {
        implausibleSensors &= ~bit
        enterFault(.sensor)
      } else {
        implausibleSensors |= bit
      }
      return .invalidValue
    }
    implausibleSensors &= ~bit
    heldSensors |= bit
    #if !hasFeature(Embedded)
      if case .motorSteps = r {} else { hardwareReadingsChanged = true }
    #endif
    switch r {
    case .upstreamPressure(let p):
      sensors.upstreamPressure = p
    case .downstreamPressure(let p):
      sensors.downstreamPressure = p
    case .airInLine(let v):
      sensors.airBubble = v
    case .door(let open):
      sensors.doorOpen = open
    case .reservoir(let v):
      sensors.reservoir = v
    case .battery(let remaining, let mains):
      sensors.batteryRemaining = remaining
      sensors.onMains = mains
    case .motorSteps(let n):
      takeMotorSteps(n)
    case .sensorFailure:
      enterFault(.sensor)
    }
    return nil
  }

  /// Whether `takeSensor(r)` would change nothing: `r` repeats the value held for its sensor,
  /// and that value came from a plausible reading with none implausible since (`heldSensors`),
  /// so `r` is plausible too (the profile is fixed), its implausible bit is clear, and the
  /// value stored is the one held. Motor steps and sensor failures always go through.
  mutating func heldUnchanged(_ r: SensorReading) -> Bool {
    let s = sensors
    let same: Bool
    switch r {
    case .upstreamPressure(let p): same = p == s.upstreamPressure
    case .downstreamPressure(let p): same = p == s.downstreamPressure
    case .airInLine(let v): same = v == s.airBubble
    case .door(let open): same = open == s.doorOpen
    case .reservoir(let v): same = v == s.reservoir
    case .battery(let remaining, let mains):
      same = remaining == s.batteryRemaining && mains == s.onMains
    case .motorSteps, .sensorFailure: return false
    }
    guard same && heldSensors & SensorKind(r).bit != 0 && !alwaysEvaluate else { return false }
    #if DEBUG
      debugHeldReadingsSkipped += 1
    #endif
    return true
  }

  /// A plausible motor-steps reading's delivery (`takeSensor`).
  @inline(__always)
  mutating func takeMotorSteps(_ n: Int64) {
    let (_, nl) = ledger.record(steps: n, now: now)
    occlusionBatchNanoliters += nl
    flow.measured(nl)
    creditBolus(nanoliters: nl)
  }

  /// `takeSensor(r)`, its rejection logged.
  @inline(__always)
  mutating func takeReading(_ r: SensorReading) {
    if let rejection = takeSensor(r) { record(.rejected(.sensor, rejection)) }
  }

  #if !hasFeature(Embedded)
    /// `tick`'s readings when they come in the rig's fixed order (`SimulatedHardware.readings`:
    /// motor steps, reservoir, downstream, upstream, air, door, battery), else false (nothing
    /// taken). Each slot is compared with the held value by position, not through
    /// `heldUnchanged`'s switch per reading (an indirect branch each): the same test, in the
    /// same order, and the readings not passed over go through `takeSensor` as before. Host
    /// only; `debugAlwaysEvaluate` takes the general path.
    @inline(__always)
    mutating func takeRigReadings(_ readings: [SensorReading]) -> Bool {
      guard readings.count == 7, !alwaysEvaluate, case .motorSteps(let steps) = readings[0],
        case .reservoir(let reservoir) = readings[1],
        case .downstreamPressure(let down) = readings[2],
        case .upstreamPressure(let up) = readings[3], case .airInLine(let air) = readings[4],
        case .door(let door) = readings[5],
        case .battery(let remaining, let mains) = readings[6]
      else { return false }
      #if DEBUG
        debugRigOrderSteps += 1
      #endif
      if steps >= 0 {
        // `takeSensor`'s plausible motor steps, without its three switches on the reading.
        implausibleSensors &= ~SensorKind.motor.bit
        heldSensors |= SensorKind.motor.bit
        takeMotorSteps(steps)
      } else {
        takeReading(readings[0])
      }
      // Each comparison reads the state the readings before it left (as `heldUnchanged` does).
      takeUnlessHeld(reservoir == sensors.reservoir, .reservoir, readings[1])
      takeUnlessHeld(down == sensors.downstreamPressure, .downstreamPressure, readings[2])
      takeUnlessHeld(up == sensors.upstreamPressure, .upstreamPressure, readings[3])
      takeUnlessHeld(air == sensors.airBubble, .air, readings[4])
      takeUnlessHeld(door == sensors.doorOpen, .door, readings[5])
      takeUnlessHeld(
        remaining == sensors.batteryRemaining && mains == sensors.onMains, .battery, readings[6])
      return true
    }

    /// `heldUnchanged(r)` with its comparison `same` done by the caller (kind `k`), then
    /// `r` taken unless held.
    @inline(__always)
    mutating func takeUnlessHeld(_ same: Bool, _ k: SensorKind, _ r: SensorReading) {
      if same && heldSensors & k.bit != 0 {
        #if DEBUG
          debugHeldReadingsSkipped += 1
        #endif
      } else {
        takeReading(r)
      }
    }
  #endif

  /// Re-evaluates every condition and the motor command. Runs after every accepted event and
  /// on every tick, so a high-priority stop takes effect in the call that detects it.
  mutating func evaluate() {
    settledAt = now
    guard !isFaulted else {
      command(.zero)
      return
    }
    evaluateHardware()
    evaluateVitals()
    evaluateFlow()
    evaluateCompletion()
    let idleLong = stoppedWithTherapy && now - modeSince >= profile.pausedTooLong
    setAlarm(.pausedTooLong, idleLong)
    if isFaulted {
      command(.zero)
      return
    }
    regulate()
  }

  /// Stopped while a therapy (or its latch) waits for a clinician: programmed, paused,
  /// interlock-stopped, or idle with the interlock latched. The low-priority callback reminder
  /// (`pausedTooLong`) applies to all of them (REQ-HW-IDLE-02).
  var stoppedWithTherapy: Bool {
    switch mode {
    case .programmed, .paused, .interlockStopped: true
    case .idle: interlockLatched
    default: false
    }
  }

  var staleMasks: Bool {
    #if DEBUG
      return debugBrokenRule == .staleMasksCritical
    #else
      return false
    #endif
  }

  var isFaulted: Bool {
    if case .fault = mode { return true }
    return false
  }

  /// Downstream pressure above 10 % of the alarm limit: the line is storing volume (our
  /// threshold; below it line resistance and noise dominate).
  var occlusionPressureElevated: Bool {
    sensors.downstreamPressure.rawValue > profile.downstreamOcclusion.rawValue / 10
  }

  /// Measures the occlusion release bolus: when the pressure of an occlusion that alarmed falls
  /// back, the volume pushed into the line meanwhile is what the patient receives at once.
  /// The steps reported with the pressure count when that pressure is elevated (a batch may
  /// include the first 10 % of the build-up: the report errs on the large side).
  /// (Inlined into its one caller, `evaluateHardware`.)
  @inline(__always) private mutating func trackOcclusionRelease() {
    let batch = occlusionBatchNanoliters
    occlusionBatchNanoliters = 0
    if sensors.downstreamPressure > profile.downstreamOcclusion { occlusionEpisode = true }
    guard !occlusionPressureElevated else {
      occlusionPushedNanoliters += batch
      return
    }
    if occlusionEpisode {
      occlusionRelease = Microliters(occlusionPushedNanoliters / 1000)
      occlusionReleaseAt = now
      occlusionEpisode = false
      record(.occlusionReleased(occlusionRelease))
    }
    occlusionPushedNanoliters = 0
  }

  private mutating func evaluateHardware() {
    trackOcclusionRelease()
    let expected = expectedConsumptionRate()
    #if !hasFeature(Embedded)
      // Host builds: the eight conditions read only the sensors, the expected consumption and
      // the fixed profile. With no reading stored since they were last set, the same expected
      // consumption, and their condition bits as that run left them, they come out the same
      // and every `setAlarm` below would return at once.
      if !hardwareReadingsChanged && expected.rawValue == hardwareCheckedExpected
        && alarms.conditionMask & Self.hardwareAlarmMask == hardwareCheckedConditions
        && !alwaysEvaluate
      {
        #if DEBUG
          debugHardwareChecksSkipped += 1
        #endif
      } else {
        setHardwareAlarms(expected: expected)
        hardwareReadingsChanged = false
        hardwareCheckedExpected = expected.rawValue
        hardwareCheckedConditions = alarms.conditionMask & Self.hardwareAlarmMask
      }
    #else
      setHardwareAlarms(expected: expected)
    #endif
    if mode.mayDeliver && blockingAlarmActive {
      stopDelivery(to: .paused(.alarm), .alarm)
    }
  }

  #if !hasFeature(Embedded)
    /// The condition bits (`AlarmSystem.conditionMask`) of the alarms `setHardwareAlarms` sets
    /// (one expression of constants: folded where it is read, no loop per step).
    @inline(__always) static var hardwareAlarmMask: UInt64 {
      func b(_ c: AlarmCode) -> UInt64 { AlarmSystem.bit(Int(c.rawValue)) }
      return b(.occlusionDownstream) | b(.occlusionUpstream) | b(.airInLine) | b(.doorOpen)
        | b(.reservoirEmpty) | b(.reservoirLow) | b(.batteryDepleted) | b(.batteryLow)
    }
  #endif

  /// The hardware alarms' conditions from the sensors held and the expected consumption.
  @inline(__always) private mutating func setHardwareAlarms(expected: MicrolitersPerHour) {
    let s = sensors
    setAlarm(.occlusionDownstream, s.downstreamPressure > profile.downstreamOcclusion)
    setAlarm(.occlusionUpstream, s.upstreamPressure > profile.upstreamOcclusion)
    setAlarm(.airInLine, s.airBubble >= profile.airInLineBubble && s.airBubble.rawValue > 0)
    setAlarm(.doorOpen, s.doorOpen)
    let empty = s.reservoir.rawValue <= 0
    setAlarm(.reservoirEmpty, empty)
    var low = !empty && s.reservoir < profile.lowReservoirVolume
    if !empty && expected.rawValue > 0
      && Self.lastsLess(s.reservoir, than: profile.lowReservoirTime, at: expected)
    {
      low = true
    }
    setAlarm(.reservoirLow, low)
    setAlarm(.batteryDepleted, !s.onMains && s.batteryRemaining.rawValue <= 0)
    setAlarm(
      .batteryLow,
      !s.onMains && s.batteryRemaining.rawValue > 0
        && s.batteryRemaining < profile.batteryLowRemaining)
  }

  /// `v.time(at: rate) < t` for `v` > 0 and `rate` > 0, without its division: ⌊v·3 600 000 /
  /// rate⌋ < t exactly when v·3 600 000 < t·rate (integers, rate > 0; the time's saturation
  /// at `Int64.max` is never below `t`), both products exact in 128 bits.
  @inline(__always) static func lastsLess(
    _ v: Microliters, than t: Milliseconds, at rate: MicrolitersPerHour
  ) -> Bool {
    guard t.rawValue > 0 else { return false }
    let a = UInt64(v.rawValue).multipliedFullWidth(by: UInt64(Milliseconds.hour.rawValue))
    let b = UInt64(t.rawValue).multipliedFullWidth(by: UInt64(rate.rawValue))
    return a.high < b.high || (a.high == b.high && a.low < b.low)
  }

  /// The consumption a nurse plans the syringe by (REQ-HW-RESERVOIR-03): the programmed basal
  /// plus the most patient boluses the prescription allows per hour (KVO: the KVO rate). Not
  /// the bolus rate of the moment: a single bolus never raises the low-reservoir alarm.
  /// The bolus dose's volume is kept with the dose and concentration it was computed from
  /// (`bolusVolume`; its division ran twice per control step), computed again when one differs
  /// and always on the reference path. Mutating for that (and so that it reads in place; not
  /// inlined: two copies cost 320 bytes of embedded text).
  mutating func expectedConsumptionRate() -> MicrolitersPerHour {
    guard let p = prescription, mode.therapyActive else { return .zero }
    if mode == .kvo { return p.kvoRate }
    let dose = p.bolusDose.rawValue
    let c = p.concentration.rawValue
    if bolusVolume.dose != dose || bolusVolume.concentration != c || alwaysEvaluate {
      bolusVolume = (dose, c, PrescriptionCheck.volume(p.bolusDose, p.concentration))
    } else {
      #if DEBUG
        debugBolusVolumesKept += 1
      #endif
    }
    let bolusNl = Arith.mulDivFloor(bolusVolume.nanoliters, p.maxBolusesPerHour, 1)
    return MicrolitersPerHour(basalVolumeRate.rawValue + bolusNl / 1000)
  }

  /// The vitals interlock (REQ-VITALS-*).
  private mutating func evaluateVitals() {
    let watching = mode.therapyActive
    #if !hasFeature(Embedded)
      // Host builds: `assess` reads the confirmed levels, the staleness of each track at `now`,
      // the policy, the watch start and `watching`. With no level or staleness moved by a
      // sample and no policy change since the last full run (`vitalsMoved`), `now` before the
      // first stale deadline after that run (a stale track stays stale until a sample, which
      // marks it), and the same watch start, `watching` and latch, the assessment is the same;
      // that run did not stop delivery (else it kept nothing), so with the three alarms'
      // condition bits as it left them every statement below would change nothing.
      if !vitalsMoved && now < vitalsCheckedUntil && watching == vitalsCheckedWatching
        && vitals.watchSince == vitalsCheckedSince && interlockLatched == vitalsCheckedLatched
        && alarms.conditionMask & Self.vitalsAlarmMask == vitalsCheckedConditions
        && !alwaysEvaluate
      {
        #if DEBUG
          debugVitalsAssessmentsSkipped += 1
        #endif
        return
      }
    #endif
    let a = vitals.assess(
      policy: policy, now: now, watching: watching, staleMasksCritical: staleMasks)
    let interlock = a.criticals > 0 || a.warnings >= policy.interlockWarnings
    setAlarm(.vitalsWarning, watching && a.bandWarnings > 0)
    setAlarm(.vitalsStale, watching && a.stale > 0)
    if watching && interlock {
      interlockLatched = true
      if mode != .interlockStopped {
        stopDelivery(to: .interlockStopped, .interlock)
      }
    }
    // The alarm's condition is the latch: it ends only with the clinician reset.
    setAlarm(.vitalsInterlock, interlockLatched)
    #if !hasFeature(Embedded)
      vitalsMoved = false
      vitalsCheckedUntil =
        watching && interlock
        ? now : vitals.nextStaleDeadline(policy: policy, now: now) ?? Milliseconds(Int64.max)
      vitalsCheckedSince = vitals.watchSince
      vitalsCheckedWatching = watching
      vitalsCheckedLatched = interlockLatched
      vitalsCheckedConditions = alarms.conditionMask & Self.vitalsAlarmMask
    #endif
  }

  #if !hasFeature(Embedded)
    /// The condition bits (`AlarmSystem.conditionMask`) of the alarms `evaluateVitals` sets.
    @inline(__always) static var vitalsAlarmMask: UInt64 {
      func b(_ c: AlarmCode) -> UInt64 { AlarmSystem.bit(Int(c.rawValue)) }
      return b(.vitalsWarning) | b(.vitalsStale) | b(.vitalsInterlock)
    }
  #endif

  /// True while the interlock's condition holds (any critical, or enough warnings).
  public var interlockCondition: Bool {
    let a = vitals.assess(policy: policy, now: now, watching: true, staleMasksCritical: staleMasks)
    return a.criticals > 0 || a.warnings >= policy.interlockWarnings
  }

  private mutating func evaluateFlow() {
    let step = ledger.stepNanoliters
    if flow.overInfusing(
      tolerancePercent: profile.overInfusionTolerancePercent, stepNanoliters: step)
    {
      setAlarm(.overInfusion, true)
      if mode.mayDeliver { stopDelivery(to: .paused(.alarm), .alarm) }
    }
    if let under = flow.closeWindowIfDue(
      now: now, tolerancePercent: profile.underInfusionTolerancePercent, stepNanoliters: step)
    {
      setAlarm(.underInfusion, under && mode.mayDeliver)
      if !flow.overInfusing(
        tolerancePercent: profile.overInfusionTolerancePercent, stepNanoliters: step)
      {
        setAlarm(.overInfusion, false)
      }
    }
  }

  private mutating func evaluateCompletion() {
    guard mode.mayDeliver, let p = prescription else { return }
    if ledger.totalNanoliters - infusedBaseNanoliters >= p.vtbi.nanoliters {
      stopDelivery(to: .complete, .vtbiReached)
      setAlarm(.infusionComplete, true)
    }
  }

  // MARK: Motor command under the rolling limits

  /// Rate wanted by the mode and phase, before limits.
  private func wantedRate() -> MicrolitersPerHour {
    guard let p = prescription else { return .zero }
    switch mode {
    case .infusing(.basal): return basalVolumeRate
    case .infusing(.loadingDose): return bolusComponentRate()
    case .infusing(.patientBolus), .infusing(.clinicianBolus):
      return MicrolitersPerHour(
        min(basalVolumeRate.rawValue + bolusComponentRate().rawValue, profile.maxRate.rawValue))
    case .kvo: return p.kvoRate
    default: return .zero
    }
  }

  /// The bolus rate for the next control tick: the programmed bolus rate, cut in the last ticks
  /// so that the motor never moves past the last whole step of the dose (REQ-BOLUS-EXACT-01:
  /// a bolus ends up to one step short, never over).
  func bolusComponentRate() -> MicrolitersPerHour {
    guard let p = prescription, let b = bolus else { return .zero }
    let whole = ledger.wholeStepsVolume(b.remainingNanoliters)
    let tick = max(profile.controlTick.rawValue, 1)
    let cap = MicrolitersPerHour.rate(delivering: whole, over: Milliseconds(tick))
    return MicrolitersPerHour(min(p.bolusRate.rawValue, cap.rawValue))
  }

  /// Sets the motor so that no 60- or 240-minute window can exceed its limit over the next
  /// control tick (REQ-DOSE-WINDOW-01): bolus aborted, then basal → KVO, then KVO held at zero.
  mutating func regulate() {
    commandedBolusRate = .zero
    guard mode.mayDeliver, prescription != nil else {
      kvoHeld = false
      command(.zero)
      return
    }
    if mode == .kvo {
      // Back to basal once the windows allow ten minutes of it and the KVO reserve.
      if fitsLimits(extraPicograms: 0, overMillis: Self.kvoExitHorizon) {
        setAlarm(.doseLimit, false)
        transition(to: .infusing(.basal), .doseLimitCleared)
      }
    }
    for _ in 0..<3 {
      let r = wantedRate()
      // Basal and boluses keep the KVO reserve free; KVO itself may use it.
      if r.rawValue == 0 || tickFits(rate: r, keepReserve: mode != .kvo) {
        if mode == .kvo { kvoHeld = false }
        commandedBolusRate = bolus == nil ? .zero : bolusComponentRate()
        command(r)
        return
      }
      switch mode {
      case .infusing(.basal):
        setAlarm(.doseLimit, true)
        transition(to: .kvo, .doseLimit)
      case .infusing:
        abortBolus()
        suspendedClinicianBolus = nil
        transition(to: .infusing(.basal), .doseLimit)
      default:
        kvoHeld = true
        command(.zero)
        return
      }
    }
    command(.zero)
  }

  /// `bindingLimit(extraPicograms: picograms(rate: r, overMillis: controlTick), overMillis: 0,
  /// keepReserve:) == nil`, from the masses `keepWindowMasses` keeps (basal over no time adds
  /// nothing: its mass is rounded up from zero). A prescription is in force. The reference
  /// path asks `bindingLimit` itself.
  private mutating func tickFits(rate r: MicrolitersPerHour, keepReserve: Bool) -> Bool {
    if alwaysEvaluate {
      let tick = picograms(rate: r, overMillis: profile.controlTick.rawValue)
      return bindingLimit(extraPicograms: tick, overMillis: 0, keepReserve: keepReserve) == nil
    }
    guard let c = prescription?.concentration, let kvo = prescription?.kvoRate else {
      return false
    }
    keepWindowMasses(rate: r, concentration: c, kvoRate: kvo)
    if !headroomMasses.tickKnown {
      headroomMasses.tickMass = picograms(rate: r, overMillis: profile.controlTick.rawValue)
      headroomMasses.tickKnown = true
    }
    let m = headroomMasses
    return limitExceeded(planned: m.tickMass + m.margin + (keepReserve ? m.reserve : 0)) == nil
  }

  /// Drug kept free in both windows so that KVO can run after basal stops: KVO for
  /// `kvoReserveTime` (our default 15 min; Open PCA keeps a 3 mL max-dose buffer).
  static var kvoReserveTime: Int64 { 15 * 60_000 }
  /// Basal must fit for this long (plus the reserve) before KVO returns to basal (our default).
  static var kvoExitHorizon: Int64 { 10 * 60_000 }

  var kvoReservePicograms: Int64 {
    guard let p = prescription else { return 0 }
    return picograms(rate: p.kvoRate, overMillis: Self.kvoReserveTime)
  }

  /// Safety margin against step quantisation: two motor steps of drug, pg.
  var limitMarginPicograms: Int64 {
    2
      * DoseLedger.stepPicograms(
        concentration: ledger.concentration, stepsPerMilliliter: ledger.stepsPerMilliliter)
  }

  /// Drug delivered at `rate` for `overMillis`, pg, rounded up.
  func picograms(rate: MicrolitersPerHour, overMillis ms: Int64) -> Int64 {
    guard let p = prescription else { return 0 }
    return rate.picogramsCeil(over: Milliseconds(ms), at: p.concentration)
  }

  /// Whether `extraPicograms` plus basal over `overMillis` fits both windows.
  func fitsLimits(extraPicograms: Int64, overMillis ms: Int64) -> Bool {
    bindingLimit(extraPicograms: extraPicograms, overMillis: ms) == nil
  }

  /// The window a planned delivery (`extraPicograms` plus basal over `overMillis`) would break,
  /// if any. Unless `keepReserve` is false, the KVO reserve must stay free as well.
  func bindingLimit(extraPicograms: Int64, overMillis ms: Int64, keepReserve: Bool = true)
    -> BolusDenial?
  {
    guard prescription != nil else { return .notInfusing }
    let planned =
      extraPicograms + picograms(rate: basalVolumeRate, overMillis: ms) + limitMarginPicograms
      + (keepReserve ? kvoReservePicograms : 0)
    return limitExceeded(planned: planned)
  }

  /// The window that `planned` picograms more would break, if any.
  @inline(__always) func limitExceeded(planned: Int64) -> BolusDenial? {
    guard let p = prescription else { return .notInfusing }
    if ledger.sum1hPicograms + planned > p.limit1h.picograms { return .limit1h }
    if ledger.sum4hPicograms + planned > p.limit4h.picograms { return .limit4h }
    return nil
  }
}
