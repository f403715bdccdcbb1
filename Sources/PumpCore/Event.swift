/// Everything that can happen to the controller. Each is handled by `PumpController.handle`,
/// which accepts or rejects it with a reason; `tick` is the control step.
public enum PumpEvent: Sendable {
  /// Program a prescription (clinician). Hard-limit violations are rejected; soft-limit ones
  /// wait for `confirmSoftLimits`.
  case program(Prescription)
  /// Confirm the pending prescription's soft-limit violations (clinician, logged).
  case confirmSoftLimits
  case start
  case pause
  case resume
  /// Stop the therapy and discard the prescription (back to idle). Motor off.
  case stop
  /// Change the basal rate while a therapy is under way (titration).
  case changeBasalRate(MicrogramsPerHour)
  /// The patient pressed the handset button.
  case patientBolusRequest
  /// A clinician-given bolus of this dose.
  case clinicianBolus(Micrograms)
  case vitals(VitalsSample)
  case sensor(SensorReading)
  /// Acknowledge every active alarm.
  case acknowledgeAlarms
  /// Pause alarm audio for the profile's maximum (≤ 120 s).
  case audioPause
  case selfTestResult(passed: Bool)
  /// Clinician reset after a vitals interlock stop.
  case clinicianReset
  /// Host link state, from the firmware's protocol session.
  case hostLink(connected: Bool)
  /// Repeated failed logins on a serial line (true), or a clinician/service login since
  /// (false), from the firmware's protocol session: the low-priority link-security alarm.
  case linkSecurity(alert: Bool)
  /// A fault detected by the firmware shell (watchdog, journal, motor driver).
  case fault(FaultCode)
}

/// A hardware sensor reading reported by the firmware shell (or the replayer).
public enum SensorReading: Sendable {
  case upstreamPressure(MilliPSI)
  case downstreamPressure(MilliPSI)
  /// Size of the bubble now passing the air sensor (zero: none).
  case airInLine(Microliters)
  case door(open: Bool)
  /// Remaining reservoir volume as measured by the plunger position.
  case reservoir(Microliters)
  /// Estimated remaining battery run time and mains state.
  case battery(remaining: Milliseconds, onMains: Bool)
  /// Motor steps completed since the previous report: the source of delivered dose.
  case motorSteps(Int64)
  /// A sensor reported an out-of-range or inconsistent value.
  case sensorFailure
}

/// Why an event was rejected. Wire value: the raw value (NAK detail in the protocol).
public enum Rejection: UInt8, Hashable, Sendable, Error {
  case notAllowedInMode = 1
  case hardLimit = 2
  case noPendingConfirmation = 3
  case softLimitUnconfirmed = 4
  case invalidValue = 5
  case alarmConditionPresent = 6
  case interlockConditionPresent = 7
  case notSilenceable = 8
  case nothingToAcknowledge = 9
  case rateIncreaseTooSoon = 10
  case doseLimit = 11
  case vitalsStale = 12
  case faulted = 13
  case unknownDrugEntry = 14
  case careAreaMismatch = 15
  case bolusInProgress = 16
  case nothingToReset = 17
}

/// Why a patient bolus request was denied (logged with every press).
public enum BolusDenial: UInt8, Hashable, Sendable {
  case notInfusing = 1
  case lockout = 2
  case maxPerHour = 3
  case vitalsWarning = 4
  case limit1h = 5
  case limit4h = 6
  case bolusInProgress = 7
  case noBolusProgrammed = 8
  case reservoir = 9
}

// Equality is for host code and tests; Embedded builds leave it out to save flash.
#if !hasFeature(Embedded)
  extension PumpEvent: Hashable {}
  extension SensorReading: Hashable {}
#endif

/// Which sensor a reading comes from (bit index for per-sensor bookkeeping).
enum SensorKind: UInt8 {
  case upstreamPressure = 0
  case downstreamPressure = 1
  case air = 2
  case door = 3
  case reservoir = 4
  case battery = 5
  case motor = 6
  case failure = 7

  init(_ r: SensorReading) {
    switch r {
    case .upstreamPressure: self = .upstreamPressure
    case .downstreamPressure: self = .downstreamPressure
    case .airInLine: self = .air
    case .door: self = .door
    case .reservoir: self = .reservoir
    case .battery: self = .battery
    case .motorSteps: self = .motor
    case .sensorFailure: self = .failure
    }
  }

  @inline(__always) var bit: UInt8 { 1 << rawValue }
}
