import PumpCore

/// One telemetry snapshot, filled by the firmware from the controller and sent as a `TLM` frame
/// (and as the STATUS reply). Field order and ranges: docs/PROTOCOL.md §4.5.
public struct Telemetry: Hashable, Sendable {
  /// The longest TLM frame on the wire: every field at its maximum, three alarms, device seq
  /// 4294967295, MAC, CR LF (docs/PROTOCOL.md §4.5; pinned by a test). The line budget of a
  /// telemetry rate is reckoned with it, so a rate the device accepts always fits.
  public static let maxFrameBytes = 242

  /// Controller mode (with its phase / pause reason / fault code).
  public var mode: Mode
  /// Rate the motor is commanded to, µL/h, 0…9999999.
  public var commandedRate: MicrolitersPerHour
  /// Rate measured from motor steps, µL/h, 0…9999999.
  public var measuredRate: MicrolitersPerHour
  /// Drug delivered since the therapy started, µg, 0…99999999999.
  public var deliveredTotal: Micrograms
  /// Drug delivered in the last 60 min, µg, 0…999999999.
  public var delivered1h: Micrograms
  /// The prescription's 1 h limit, µg, 0…999999999.
  public var limit1h: Micrograms
  /// Drug delivered in the last 240 min, µg, 0…999999999.
  public var delivered4h: Micrograms
  /// The prescription's 4 h limit, µg, 0…999999999.
  public var limit4h: Micrograms
  /// Patient-bolus lockout remaining, ms, 0…99999999.
  public var lockoutRemaining: Milliseconds
  /// Bolus button presses since start, 0…999999.
  public var bolusDemands: Int64
  /// Boluses delivered since start, 0…999999.
  public var bolusDeliveries: Int64
  /// Reservoir volume, µL, 0…9999999.
  public var reservoir: Microliters
  /// Battery run time remaining, ms, 0…999999999.
  public var batteryRemaining: Milliseconds
  /// Mains power present.
  public var onMains: Bool
  /// Upstream line pressure, milli-psi, 0…999999.
  public var upstreamPressure: MilliPSI
  /// Downstream line pressure, milli-psi, 0…999999.
  public var downstreamPressure: MilliPSI
  /// Latest vitals sample (each 0…999 or absent).
  public var vitals: VitalsSample
  /// Age of the latest vitals sample, ms, 0…99999999; nil when none was received.
  public var vitalsAge: Milliseconds?
  /// Number of active alarms, 0…99 (may exceed `alarms.count`).
  public var alarmCount: Int
  /// Up to 3 active alarms, highest priority first (ALARMS lists them all).
  public var alarms: [AlarmStatus]

  /// Alarms carried per telemetry frame.
  public static let maxAlarms = 3

  public init(
    mode: Mode, commandedRate: MicrolitersPerHour = .zero,
    measuredRate: MicrolitersPerHour = .zero, deliveredTotal: Micrograms = .zero,
    delivered1h: Micrograms = .zero, limit1h: Micrograms = .zero,
    delivered4h: Micrograms = .zero, limit4h: Micrograms = .zero,
    lockoutRemaining: Milliseconds = .zero, bolusDemands: Int64 = 0, bolusDeliveries: Int64 = 0,
    reservoir: Microliters = .zero, batteryRemaining: Milliseconds = .zero, onMains: Bool = true,
    upstreamPressure: MilliPSI = .zero, downstreamPressure: MilliPSI = .zero,
    vitals: VitalsSample = VitalsSample(), vitalsAge: Milliseconds? = nil, alarmCount: Int? = nil,
    alarms: [AlarmStatus] = []
  ) {
    self.mode = mode
    self.commandedRate = commandedRate
    self.measuredRate = measuredRate
    self.deliveredTotal = deliveredTotal
    self.delivered1h = delivered1h
    self.limit1h = limit1h
    self.delivered4h = delivered4h
    self.limit4h = limit4h
    self.lockoutRemaining = lockoutRemaining
    self.bolusDemands = bolusDemands
    self.bolusDeliveries = bolusDeliveries
    self.reservoir = reservoir
    self.batteryRemaining = batteryRemaining
    self.onMains = onMains
    self.upstreamPressure = upstreamPressure
    self.downstreamPressure = downstreamPressure
    self.vitals = vitals
    self.vitalsAge = vitalsAge
    self.alarmCount = alarmCount ?? alarms.count
    self.alarms = Array(alarms.prefix(Self.maxAlarms))
  }
}
