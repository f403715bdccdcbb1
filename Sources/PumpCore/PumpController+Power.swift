extension PumpController {
  /// Power returns at `now` after an outage, with the state the controller had when power was
  /// lost (the firmware rebuilds it from its journal; a trace replays it). Everything that
  /// guards the patient survives: prescription, dose windows, lockout, bolus counts, latched
  /// alarms, logs. A running bolus is aborted, the motor is off, and the pump runs its
  /// self-test; when it passes, a therapy that was under way comes back paused
  /// (`paused(.powerCycle)`: only a clinician resumes it), an interlock stop stays latched, and
  /// a fault of the previous run is cleared (power cycle is its only exit).
  public mutating func powerRestored(now t: Milliseconds) {
    begin(t)
    let resume: Mode
    switch mode {
    case .infusing, .kvo, .paused: resume = .paused(.powerCycle)
    case .fault:
      // A fault does not say whether a therapy was under way. A basal above the last one in
      // force never was, and coming back paused would let `resume` deliver it without the
      // start's rate-increase check (REQ-RX-RATE-INCREASE-03): it comes back programmed.
      resume =
        prescription == nil
        ? .idle : basalRate > lastBasalInForce ? .programmed : .paused(.powerCycle)
    case .selfTest: resume = resumeAfterSelfTest ?? .idle
    case .idle, .programmed, .complete, .interlockStopped: resume = mode
    }
    abortBolus()
    suspendedClinicianBolus = nil
    kvoHeld = false
    command(.zero)
    for code in AlarmCode.allCases where code.properties.action == .fault {
      setAlarm(code, false)
      if alarms.isActive(code) { acknowledge(code) }
    }
    resumeAfterSelfTest = resume
    transition(to: .selfTest, .restored)
    vitals.watchSince = now
  }
}
