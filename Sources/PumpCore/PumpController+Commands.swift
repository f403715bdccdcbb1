// Clinician commands: program, confirm, start, pause, resume, stop, titrate, reset.

extension PumpController {
  mutating func program(_ p: Prescription) -> Rejection? {
    switch mode {
    case .idle, .programmed, .paused, .complete: break
    default: return .notAllowedInMode
    }
    guard let entry = formulary.entry(p.drugEntry) else { return .unknownDrugEntry }
    switch PrescriptionCheck.check(p, against: entry, profile: profile) {
    case .rejected(let r, _):
      return r
    case .acceptable(let soft):
      // A basal increase the rate-increase interval forbids is refused with its reason, never
      // dropped silently (REQ-RX-RATE-INCREASE-02).
      if rateIncreaseTooSoon(p) { return .rateIncreaseTooSoon }
      record(.programAccepted(needsConfirmation: soft != 0, softViolations: soft))
      if soft != 0 {
        pending = p
        pendingSoftViolations = soft
      } else {
        pending = nil
        pendingSoftViolations = 0
        activate(p)
      }
      if mode == .idle || mode == .complete { transition(to: .programmed, .command) }
      return nil
    }
  }

  mutating func confirmSoftLimits() -> Rejection? {
    guard let p = pending else { return .noPendingConfirmation }
    if rateIncreaseTooSoon(p) { return .rateIncreaseTooSoon }
    record(.softLimitsConfirmed(pendingSoftViolations))
    pending = nil
    pendingSoftViolations = 0
    activate(p)
    return nil
  }

  /// Makes `p` the prescription in force. Dose history, lockout and bolus counts are the
  /// patient's and are never reset by reprogramming (REQ-DOSE-HISTORY-01).
  mutating func activate(_ p: Prescription) {
    let keepsTherapy = mode.therapyActive
    prescription = p
    policy = formulary.policy(for: p.careArea)
    ledger.setConcentration(p.concentration)
    if !keepsTherapy {
      basalRate = p.basalRate
      infusedBaseNanoliters = ledger.totalNanoliters
    } else if p.basalRate < basalRate {
      basalRate = p.basalRate
    } else if p.basalRate > basalRate {
      // Checked by `program` and `confirmSoftLimits` (rateIncreaseTooSoon) before we get here.
      basalRate = p.basalRate
      lastRateIncrease = now
    }
    if keepsTherapy { lastBasalInForce = basalRate }
    basalVolumeRate = PrescriptionCheck.volumeRate(basalRate, p.concentration, profile)
  }

  /// "Never": far enough back that no rate-increase interval (at most a day in any drug library
  /// this firmware accepts, and Int64 ms besides) reaches it, and `now - never` cannot overflow.
  static let noRateIncrease = Milliseconds(-(1 << 50))

  /// Whether putting basal `rate` in force now would raise the basal inside the rate-increase
  /// `interval`. The reference is the rate in force: the therapy's own while one is active, else
  /// the rate of the last therapy (a stop does not forget it), so stop, program and start cannot
  /// raise the basal sooner than titration could (REQ-RX-RATE-INCREASE-03).
  func rateIncreaseTooSoon(to rate: MicrogramsPerHour, interval: Milliseconds) -> Bool {
    #if DEBUG
      if debugBrokenRule == .startForgetsRateInterval && !mode.therapyActive { return false }
    #endif
    let reference = mode.therapyActive ? basalRate : lastBasalInForce
    return rate > reference && now - lastRateIncrease < interval
  }

  /// Whether activating `p` now would raise the basal rate inside the rate-increase interval.
  /// Outside a therapy this is answered again at `start`, when the rate goes into force.
  func rateIncreaseTooSoon(_ p: Prescription) -> Bool {
    mode.therapyActive && rateIncreaseTooSoon(to: p.basalRate, interval: p.rateIncreaseInterval)
  }

  /// A therapy's basal went into force (start): an increase over the last therapy's rate counts.
  mutating func basalWentIntoForce() {
    if basalRate > lastBasalInForce { lastRateIncrease = now }
    lastBasalInForce = basalRate
  }

  /// A latched interlock blocks start and resume until a clinician reset (REQ-SAFE-LATCH-01).
  var latchBlocksDelivery: Bool { interlockLatched }

  mutating func start() -> Rejection? {
    guard mode == .programmed else { return .notAllowedInMode }
    if pending != nil { return .softLimitUnconfirmed }
    guard let p = prescription else { return .notAllowedInMode }
    if latchBlocksDelivery { return .interlockConditionPresent }
    if blockingAlarmActive { return .alarmConditionPresent }
    if rateIncreaseTooSoon(to: basalRate, interval: p.rateIncreaseInterval) {
      return .rateIncreaseTooSoon
    }
    vitals.watchSince = now
    basalWentIntoForce()
    infusedBaseNanoliters = ledger.totalNanoliters
    if p.loadingDose.rawValue > 0 {
      let nl = PrescriptionCheck.volume(p.loadingDose, p.concentration)
      if !fitsLimits(extraPicograms: p.loadingDose.picograms, overMillis: 0) {
        return .doseLimit
      }
      bolus = ActiveBolus(phase: .loadingDose, dose: p.loadingDose, targetNanoliters: nl)
      transition(to: .infusing(.loadingDose), .command)
      record(.bolusStarted(.loadingDose, p.loadingDose))
    } else {
      transition(to: .infusing(.basal), .command)
    }
    return nil
  }

  mutating func pause() -> Rejection? {
    guard mode.mayDeliver else { return .notAllowedInMode }
    stopDelivery(to: .paused(.clinician), .command)
    return nil
  }

  mutating func resume() -> Rejection? {
    guard case .paused = mode else { return .notAllowedInMode }
    if pending != nil { return .softLimitUnconfirmed }
    if latchBlocksDelivery { return .interlockConditionPresent }
    if blockingAlarmActive { return .alarmConditionPresent }
    guard prescription != nil else { return .notAllowedInMode }
    vitals.watchSince = now
    transition(to: .infusing(.basal), .command)
    return nil
  }

  /// Ends the therapy (motor off, prescription discarded); allowed in any mode but self-test
  /// and fault. Dose history stays.
  mutating func stopTherapy() -> Rejection? {
    switch mode {
    case .programmed, .infusing, .paused, .kvo, .complete, .interlockStopped: break
    default: return .notAllowedInMode
    }
    #if DEBUG
      if debugBrokenRule == .stopReleasesLatch { interlockLatched = false }
    #endif
    prescription = nil
    pending = nil
    pendingSoftViolations = 0
    basalRate = .zero
    basalVolumeRate = .zero
    stopDelivery(to: .idle, .command)
    return nil
  }

  mutating func changeBasalRate(_ r: MicrogramsPerHour) -> Rejection? {
    guard mode.therapyActive || mode == .programmed, let p = prescription,
      let e = formulary.entry(p.drugEntry)
    else { return .notAllowedInMode }
    if r.rawValue < 0 { return .invalidValue }
    let g = e.basalRate.intersected(with: e.basalRatePerKg.scaled(byWeight: p.patientWeight))
    let c = g.classify(r.rawValue)
    if c.isHardViolation { return .hardLimit }
    if c.isSoftViolation { return .softLimitUnconfirmed }
    if r.rawValue > p.limit1h.rawValue { return .invalidValue }
    let v = PrescriptionCheck.volumeRate(r, p.concentration, profile)
    if v > profile.maxRate || (r.rawValue > 0 && v < profile.minRate) { return .hardLimit }
    if r > basalRate {
      if mode.therapyActive && rateIncreaseTooSoon(to: r, interval: p.rateIncreaseInterval) {
        return .rateIncreaseTooSoon
      }
      if mode.therapyActive { lastRateIncrease = now }
    }
    basalRate = r
    basalVolumeRate = v
    if mode.therapyActive { lastBasalInForce = r }
    record(.basalRateChanged(r))
    return nil
  }

  /// Releases the interlock latch once its condition is gone (a stale vital whose last confirmed
  /// level was critical still counts as critical). From interlock-stopped the pump comes back
  /// paused: a clinician start or resume is still needed. Allowed in any mode while latched (a
  /// therapy stopped after the interlock keeps the latch).
  mutating func clinicianReset() -> Rejection? {
    guard interlockLatched else { return .nothingToReset }
    var conditionPresent = interlockCondition
    #if DEBUG
      if debugBrokenRule == .resetIgnoresCondition { conditionPresent = false }
    #endif
    if conditionPresent { return .interlockConditionPresent }
    interlockLatched = false
    acknowledge(.vitalsInterlock)
    setAlarm(.vitalsInterlock, false)
    record(.interlockReset)
    if mode == .interlockStopped { transition(to: .paused(.interlockReset), .interlockReset) }
    return nil
  }

  /// An active alarm whose action stops delivery or faults the pump.
  var blockingAlarmActive: Bool {
    alarms.anyActive(action: .stop) || alarms.anyActive(action: .fault)
  }
}
