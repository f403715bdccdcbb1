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
    } else {
      // A reprogrammed increase is still bound by the rate-increase interval.
      if now - lastRateIncrease >= p.rateIncreaseInterval {
        basalRate = p.basalRate
        lastRateIncrease = now
      }
    }
    basalVolumeRate = PrescriptionCheck.volumeRate(basalRate, p.concentration, profile)
  }

  mutating func start() -> Rejection? {
    guard mode == .programmed else { return .notAllowedInMode }
    if pending != nil { return .softLimitUnconfirmed }
    guard let p = prescription else { return .notAllowedInMode }
    if blockingAlarmActive { return .alarmConditionPresent }
    vitals.watchSince = now
    lastRateIncrease = now
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
    abortBolus()
    suspendedClinicianBolus = nil
    setAlarm(.doseLimit, false)
    transition(to: .paused(.clinician), .command)
    return nil
  }

  mutating func resume() -> Rejection? {
    guard case .paused = mode else { return .notAllowedInMode }
    if pending != nil { return .softLimitUnconfirmed }
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
    abortBolus()
    suspendedClinicianBolus = nil
    prescription = nil
    pending = nil
    pendingSoftViolations = 0
    basalRate = .zero
    basalVolumeRate = .zero
    setAlarm(.doseLimit, false)
    transition(to: .idle, .command)
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
      if mode.therapyActive && now - lastRateIncrease < p.rateIncreaseInterval {
        return .rateIncreaseTooSoon
      }
      lastRateIncrease = now
    }
    basalRate = r
    basalVolumeRate = v
    record(.basalRateChanged(r))
    return nil
  }

  mutating func clinicianReset() -> Rejection? {
    guard mode == .interlockStopped else { return .nothingToReset }
    if interlockCondition { return .interlockConditionPresent }
    acknowledge(.vitalsInterlock)
    record(.interlockReset)
    transition(to: .paused(.interlockReset), .interlockReset)
    return nil
  }

  /// An active alarm whose action stops delivery or faults the pump.
  var blockingAlarmActive: Bool {
    alarms.anyActive(action: .stop) || alarms.anyActive(action: .fault)
  }
}
