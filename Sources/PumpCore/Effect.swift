/// What the controller decided. Every `handle` and `tick` call records its effects in order in
/// `PumpController.effects` (cleared at the start of each call) and in the event log; the firmware
/// shell and the replayer apply the same effects.
public enum Effect: Equatable, Sendable {
  /// The commanded motor rate changed (zero: stopped).
  case motor(MicrolitersPerHour)
  case modeChanged(from: Mode, to: Mode, reason: ModeReason)
  case alarmRaised(AlarmCode)
  case alarmAcknowledged(AlarmCode)
  case alarmCleared(AlarmCode)
  case audioPaused(until: Milliseconds)
  /// The audio pause ended early because a higher-priority or non-silenceable alarm arose.
  case audioPauseBroken(by: AlarmCode)
  case programAccepted(needsConfirmation: Bool, softViolations: UInt32)
  case softLimitsConfirmed(UInt32)
  case basalRateChanged(MicrogramsPerHour)
  /// A patient bolus was granted: its dose and the lockout that now runs.
  case bolusGranted(Micrograms, lockout: Milliseconds)
  case bolusDenied(BolusDenial, lockoutRemaining: Milliseconds)
  case bolusStarted(InfusionPhase, Micrograms)
  case bolusCompleted(InfusionPhase)
  case bolusAborted(InfusionPhase, remaining: Micrograms)
  /// A single abnormal vitals reading that did not persist: logged, not alarmed.
  case vitalsArtifact(Vital, Int32)
  case interlockReset
  /// An occlusion that alarmed has cleared: this volume, pushed into the line while the
  /// pressure was up, reaches the patient at once (IEC 60601-2-24's release bolus;
  /// REQ-HW-OCCLUSION-03).
  case occlusionReleased(Microliters)
  /// An event was rejected; nothing changed.
  case rejected(EventKind, Rejection)
}

/// Why the mode changed. Wire value: the raw value.
public enum ModeReason: UInt8, Hashable, Sendable {
  case command = 0
  case selfTestPassed = 1
  case alarm = 2
  case doseLimit = 3
  case doseLimitCleared = 4
  case vtbiReached = 5
  case interlock = 6
  case interlockReset = 7
  case fault = 8
  case bolusFinished = 9
  case restored = 10
}

/// The kind of a `PumpEvent`, for logs and rejections. Wire value: the raw value.
public enum EventKind: UInt8, Hashable, Sendable {
  case program = 1
  case confirmSoftLimits = 2
  case start = 3
  case pause = 4
  case resume = 5
  case stop = 6
  case changeBasalRate = 7
  case patientBolusRequest = 8
  case clinicianBolus = 9
  case vitals = 10
  case sensor = 11
  case acknowledgeAlarms = 12
  case audioPause = 13
  case selfTestResult = 14
  case clinicianReset = 15
  case hostLink = 16
  case fault = 17
  case tick = 18
  case linkSecurity = 19

  public init(_ event: PumpEvent) {
    switch event {
    case .program: self = .program
    case .confirmSoftLimits: self = .confirmSoftLimits
    case .start: self = .start
    case .pause: self = .pause
    case .resume: self = .resume
    case .stop: self = .stop
    case .changeBasalRate: self = .changeBasalRate
    case .patientBolusRequest: self = .patientBolusRequest
    case .clinicianBolus: self = .clinicianBolus
    case .vitals: self = .vitals
    case .sensor: self = .sensor
    case .acknowledgeAlarms: self = .acknowledgeAlarms
    case .audioPause: self = .audioPause
    case .selfTestResult: self = .selfTestResult
    case .clinicianReset: self = .clinicianReset
    case .hostLink: self = .hostLink
    case .linkSecurity: self = .linkSecurity
    case .fault: self = .fault
    }
  }
}
