// The parent region shared by every mode: sensors, vitals interlock, alarm actions, rolling
// dose limits, flow monitoring, and the motor command.

extension PumpController {
  mutating func takeVitals(_ s: VitalsSample) {
    for v in Vital.allCases {
      guard let value = s[v] else { continue }
      if let artifact = vitals.take(v, value, policy: policy, now: now) {
        record(.vitalsArtifact(v, artifact))
      }
    }
  }

  mutating func takeSensor(_ r: SensorReading) -> Rejection? {
    switch r {
    case .upstreamPressure(let p):
      if p.rawValue < -1_000_000 || p.rawValue > 1_000_000 { return .invalidValue }
      sensors.upstreamPressure = p
    case .downstreamPressure(let p):
      if p.rawValue < -1_000_000 || p.rawValue > 1_000_000 { return .invalidValue }
      sensors.downstreamPressure = p
    case .airInLine(let v):
      if v.rawValue < 0 { return .invalidValue }
      sensors.airBubble = v
    case .door(let open):
      sensors.doorOpen = open
    case .reservoir(let v):
      if v.rawValue < 0 { return .invalidValue }
      sensors.reservoir = v
    case .battery(let remaining, let mains):
      if remaining.rawValue < 0 { return .invalidValue }
      sensors.batteryRemaining = remaining
      sensors.onMains = mains
    case .motorSteps(let n):
      if n < 0 { return .invalidValue }
      let (_, nl) = ledger.record(steps: n, now: now)
      flow.measured(nl)
      creditBolus(nanoliters: nl)
    case .sensorFailure:
      enterFault(.sensor)
    }
    return nil
  }

  /// Re-evaluates every condition and the motor command. Runs after every accepted event and
  /// on every tick, so a high-priority stop takes effect in the call that detects it.
  mutating func evaluate() {
    guard !isFaulted else {
      command(.zero)
      return
    }
    evaluateHardware()
    evaluateVitals()
    evaluateFlow()
    evaluateCompletion()
    let idleLong =
      (mode == .programmed || { if case .paused = mode { return true } else { return false } }())
      && now - modeSince >= profile.pausedTooLong
    setAlarm(.pausedTooLong, idleLong)
    if isFaulted {
      command(.zero)
      return
    }
    regulate()
  }

  var isFaulted: Bool {
    if case .fault = mode { return true }
    return false
  }

  private mutating func evaluateHardware() {
    let s = sensors
    setAlarm(.occlusionDownstream, s.downstreamPressure > profile.downstreamOcclusion)
    setAlarm(.occlusionUpstream, s.upstreamPressure > profile.upstreamOcclusion)
    setAlarm(.airInLine, s.airBubble >= profile.airInLineBubble && s.airBubble.rawValue > 0)
    setAlarm(.doorOpen, s.doorOpen)
    let empty = s.reservoir.rawValue <= 0
    setAlarm(.reservoirEmpty, empty)
    var low = !empty && s.reservoir < profile.lowReservoirVolume
    if !empty && commandedRate.rawValue > 0 {
      let left = Arith.mulDivFloor(s.reservoir.rawValue, 3_600_000, commandedRate.rawValue)
      if left < profile.lowReservoirTime.rawValue { low = true }
    }
    setAlarm(.reservoirLow, low)
    setAlarm(.batteryDepleted, !s.onMains && s.batteryRemaining.rawValue <= 0)
    setAlarm(
      .batteryLow,
      !s.onMains && s.batteryRemaining.rawValue > 0
        && s.batteryRemaining < profile.batteryLowRemaining)
    if mode.mayDeliver && blockingAlarmActive {
      abortBolus()
      suspendedClinicianBolus = nil
      setAlarm(.doseLimit, false)
      transition(to: .paused(.alarm), .alarm)
      command(.zero)
    }
  }

  /// The vitals interlock (REQ-VITALS-*).
  private mutating func evaluateVitals() {
    let watching = mode.therapyActive
    let a = vitals.assess(policy: policy, now: now, watching: watching)
    let interlock = a.criticals > 0 || a.warnings >= policy.interlockWarnings
    setAlarm(.vitalsWarning, watching && a.bandWarnings > 0)
    setAlarm(.vitalsStale, watching && a.stale > 0)
    if watching && interlock {
      setAlarm(.vitalsInterlock, true)
      if mode != .interlockStopped {
        abortBolus()
        suspendedClinicianBolus = nil
        setAlarm(.doseLimit, false)
        transition(to: .interlockStopped, .interlock)
        command(.zero)
      }
    } else {
      setAlarm(.vitalsInterlock, false)
    }
  }

  /// True while the interlock's condition holds (any critical, or enough warnings).
  var interlockCondition: Bool {
    let a = vitals.assess(policy: policy, now: now, watching: true)
    return a.criticals > 0 || a.warnings >= policy.interlockWarnings
  }

  private mutating func evaluateFlow() {
    let step = ledger.stepNanoliters
    if flow.overInfusing(
      tolerancePercent: profile.overInfusionTolerancePercent, stepNanoliters: step)
    {
      setAlarm(.overInfusion, true)
      if mode.mayDeliver {
        abortBolus()
        suspendedClinicianBolus = nil
        setAlarm(.doseLimit, false)
        transition(to: .paused(.alarm), .alarm)
        command(.zero)
      }
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
      abortBolus()
      suspendedClinicianBolus = nil
      setAlarm(.doseLimit, false)
      transition(to: .complete, .vtbiReached)
      setAlarm(.infusionComplete, true)
      command(.zero)
    }
  }

  // MARK: Motor command under the rolling limits

  /// Rate wanted by the mode and phase, before limits.
  private func wantedRate() -> MicrolitersPerHour {
    guard let p = prescription else { return .zero }
    switch mode {
    case .infusing(.basal): return basalVolumeRate
    case .infusing(.loadingDose): return p.bolusRate
    case .infusing(.patientBolus), .infusing(.clinicianBolus):
      return MicrolitersPerHour(
        min(basalVolumeRate.rawValue + p.bolusRate.rawValue, profile.maxRate.rawValue))
    case .kvo: return p.kvoRate
    default: return .zero
    }
  }

  /// Sets the motor so that no 60- or 240-minute window can exceed its limit over the next
  /// control tick (REQ-DOSE-WINDOW-01): bolus aborted, then basal → KVO, then KVO held at zero.
  mutating func regulate() {
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
      if r.rawValue == 0
        || bindingLimit(
          extraPicograms: picograms(rate: r, overMillis: profile.controlTick.rawValue),
          overMillis: 0,
          keepReserve: mode != .kvo) == nil
      {
        if mode == .kvo { kvoHeld = false }
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
  var limitMarginPicograms: Int64 { 2 * ledger.stepPicograms }

  /// Drug delivered at `rate` for `overMillis`, pg, rounded up.
  func picograms(rate: MicrolitersPerHour, overMillis ms: Int64) -> Int64 {
    guard let p = prescription else { return 0 }
    return Arith.mulDivCeil(rate.rawValue * ms, p.concentration.rawValue, 3600)
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
    guard let p = prescription else { return .notInfusing }
    let planned =
      extraPicograms + picograms(rate: basalVolumeRate, overMillis: ms) + limitMarginPicograms
      + (keepReserve ? kvoReservePicograms : 0)
    if ledger.sum1hPicograms + planned > p.limit1h.picograms { return .limit1h }
    if ledger.sum4hPicograms + planned > p.limit4h.picograms { return .limit4h }
    return nil
  }
}
