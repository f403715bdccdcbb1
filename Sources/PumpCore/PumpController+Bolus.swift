// Patient (PCA) and clinician boluses: gating, pre-emption, progress.

extension PumpController {
  /// Why a patient bolus would be denied now, or nil to grant (REQ-BOLUS-GATE-*).
  public func patientBolusGate() -> BolusDenial? {
    guard let p = prescription else { return .notInfusing }
    switch mode {
    case .infusing(.basal), .infusing(.clinicianBolus): break
    case .infusing(.patientBolus), .infusing(.loadingDose): return .bolusInProgress
    case .kvo: return bindingLimit(extraPicograms: 0, overMillis: 0) ?? .limit1h
    default: return .notInfusing
    }
    if p.bolusDose.rawValue <= 0 { return .noBolusProgrammed }
    if lockoutRemaining > .zero { return .lockout }
    if bolusesInLastHour >= p.maxBolusesPerHour { return .maxPerHour }
    let a = vitals.assess(policy: policy, now: now, watching: true)
    if a.bandWarnings > 0 || a.stale > 0 || a.criticals > 0 { return .vitalsWarning }
    let nl = PrescriptionCheck.volume(p.bolusDose, p.concentration)
    if sensors.reservoir.nanoliters < nl { return .reservoir }
    let duration = bolusDuration(nanoliters: nl)
    var extra = p.bolusDose.picograms
    if let c = bolus, c.phase == .clinicianBolus {
      extra += Arith.mulDivCeil(c.remainingNanoliters, p.concentration.rawValue, 1)
    }
    return bindingLimit(extraPicograms: extra, overMillis: duration)
  }

  mutating func requestPatientBolus() {
    bolusDemands += 1
    if let denial = patientBolusGate() {
      bolusDenials += 1
      record(.bolusDenied(denial, lockoutRemaining: lockoutRemaining))
      return
    }
    guard let p = prescription else { return }
    bolusGrants += 1
    lastPatientGrant = now
    grantTimes[grantCursor] = now
    grantCursor = (grantCursor + 1) % grantTimes.count
    record(.bolusGranted(p.bolusDose, lockout: p.lockout))
    if let c = bolus, c.phase == .clinicianBolus {
      suspendedClinicianBolus = c
    }
    let nl = PrescriptionCheck.volume(p.bolusDose, p.concentration)
    bolus = ActiveBolus(phase: .patientBolus, dose: p.bolusDose, targetNanoliters: nl)
    record(.bolusStarted(.patientBolus, p.bolusDose))
    transition(to: .infusing(.patientBolus), .command)
  }

  mutating func clinicianBolus(_ dose: Micrograms) -> Rejection? {
    guard let p = prescription, let e = formulary.entry(p.drugEntry) else {
      return .notAllowedInMode
    }
    switch mode {
    case .infusing(.basal): break
    case .infusing: return .bolusInProgress
    case .kvo: return .doseLimit
    default: return .notAllowedInMode
    }
    if dose.rawValue <= 0 { return .invalidValue }
    let g = e.bolusDose.intersected(with: e.bolusDosePerKg.scaled(byWeight: p.patientWeight))
    if g.classify(dose.rawValue).isHardViolation { return .hardLimit }
    let nl = PrescriptionCheck.volume(dose, p.concentration)
    if sensors.reservoir.nanoliters < nl { return .invalidValue }
    if bindingLimit(extraPicograms: dose.picograms, overMillis: bolusDuration(nanoliters: nl))
      != nil
    {
      return .doseLimit
    }
    bolus = ActiveBolus(phase: .clinicianBolus, dose: dose, targetNanoliters: nl)
    record(.bolusStarted(.clinicianBolus, dose))
    transition(to: .infusing(.clinicianBolus), .command)
    return nil
  }

  /// Credits measured volume to the running bolus in proportion to its share of the motor rate;
  /// ends it when its volume is delivered.
  mutating func creditBolus(nanoliters: Int64) {
    guard var b = bolus, nanoliters > 0, let p = prescription else { return }
    _ = p
    let total = commandedRate.rawValue
    let share: Int64 =
      b.phase == .loadingDose || total <= 0
      ? nanoliters
      : Arith.mulDivFloor(nanoliters, min(commandedBolusRate.rawValue, total), total)
    b.deliveredNanoliters += share
    bolus = b
    // Done when not one whole motor step of the dose is left: rounded toward less drug.
    if ledger.wholeStepsVolume(b.remainingNanoliters) == 0 { finishBolus() }
  }

  mutating func finishBolus() {
    guard let b = bolus else { return }
    record(.bolusCompleted(b.phase))
    bolus = nil
    if b.phase == .patientBolus, let c = suspendedClinicianBolus {
      suspendedClinicianBolus = nil
      bolus = c
      record(.bolusStarted(.clinicianBolus, c.dose))
      transition(to: .infusing(.clinicianBolus), .bolusFinished)
    } else {
      transition(to: .infusing(.basal), .bolusFinished)
    }
  }

  /// Abandons the running bolus (any alarm that stops delivery, KVO, pause).
  mutating func abortBolus() {
    guard let b = bolus, let p = prescription else {
      bolus = nil
      return
    }
    let remaining = Micrograms(
      Arith.mulDivFloor(b.remainingNanoliters, p.concentration.rawValue, 1_000_000))
    record(.bolusAborted(b.phase, remaining: remaining))
    bolus = nil
  }

  /// Time to deliver `nanoliters` at the bolus rate, ms, rounded up.
  func bolusDuration(nanoliters: Int64) -> Int64 {
    guard let p = prescription, p.bolusRate.rawValue > 0 else { return 0 }
    return p.bolusRate.timeCeil(toDeliverNanoliters: nanoliters).rawValue
  }

  /// Time left in the patient-bolus lockout.
  public var lockoutRemaining: Milliseconds {
    guard let last = lastPatientGrant, let p = prescription else { return .zero }
    let left = last + p.lockout - now
    return left > .zero ? left : .zero
  }

  /// Patient boluses granted in the last 60 minutes.
  public var bolusesInLastHour: Int64 {
    var n: Int64 = 0
    for t in grantTimes where now - t < .hours(1) { n += 1 }
    return n
  }
}
