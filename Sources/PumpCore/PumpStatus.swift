/// A snapshot of everything a monitor shows (the protocol's telemetry is filled from this).
public struct PumpStatus: Sendable {
  public var time: Milliseconds
  public var mode: Mode
  public var commandedRate: MicrolitersPerHour
  public var measuredRate: MicrolitersPerHour
  public var basalRate: MicrogramsPerHour
  public var deliveredTotal: Micrograms
  public var delivered1h: Micrograms
  public var delivered4h: Micrograms
  public var limit1h: Micrograms
  public var limit4h: Micrograms
  public var lockoutRemaining: Milliseconds
  public var bolusDemands: Int64
  public var bolusGrants: Int64
  public var bolusDenials: Int64
  public var reservoir: Microliters
  public var batteryRemaining: Milliseconds
  public var onMains: Bool
  public var upstreamPressure: MilliPSI
  public var downstreamPressure: MilliPSI
  public var vitals: VitalsSample
  public var map: Int32?
  /// Age of the latest sample of each vital (nil: never sampled), in `Vital` order.
  public var vitalsAge: [Milliseconds?]
  public var annunciated: AlarmCode?
  public var audible: Bool
  public var audioPauseRemaining: Milliseconds
  /// The bolus released when the last downstream occlusion cleared (zero: none yet), and when.
  public var occlusionRelease: Microliters
  public var occlusionReleaseAt: Milliseconds?
}

extension PumpController {
  public var status: PumpStatus {
    PumpStatus(
      time: now, mode: mode, commandedRate: commandedRate, measuredRate: flow.lastMeasuredRate,
      basalRate: basalRate, deliveredTotal: ledger.deliveredTotal, delivered1h: ledger.delivered1h,
      delivered4h: ledger.delivered4h, limit1h: prescription?.limit1h ?? .zero,
      limit4h: prescription?.limit4h ?? .zero, lockoutRemaining: lockoutRemaining,
      bolusDemands: bolusDemands, bolusGrants: bolusGrants, bolusDenials: bolusDenials,
      reservoir: sensors.reservoir, batteryRemaining: sensors.batteryRemaining,
      onMains: sensors.onMains, upstreamPressure: sensors.upstreamPressure,
      downstreamPressure: sensors.downstreamPressure, vitals: vitals.latest, map: vitals.latest.map,
      vitalsAge: Vital.allCases.map { vitals.age(of: $0, now: now) },
      annunciated: alarms.highestActive, audible: alarms.audible(now: now),
      audioPauseRemaining: alarms.audioPausedUntil.map { $0 - now } ?? .zero,
      occlusionRelease: occlusionRelease, occlusionReleaseAt: occlusionReleaseAt)
  }
}

// Equality is for host code and tests; Embedded builds leave it out to save flash.
#if !hasFeature(Embedded)
  extension PumpStatus: Hashable {}
#endif

extension PumpController {
  /// The confirmed band level of one vital (after artifact rejection), for monitors and the
  /// safety invariants.
  public func confirmedLevel(of v: Vital) -> VitalLevel { vitals.tracks[Int(v.rawValue)].confirmed }
}
