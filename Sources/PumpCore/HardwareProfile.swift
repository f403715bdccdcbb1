/// Numbers that describe one pump model. Loaded from HardwareProfiles/*.yaml by PumpConfig, which
/// validates every field; the controller and the simulated hardware read only this.
public struct HardwareProfile: Sendable {
  /// Usable reservoir (syringe or cassette) volume.
  public var reservoirVolume: Microliters
  public var minRate: MicrolitersPerHour
  public var maxRate: MicrolitersPerHour
  /// Commanded rates are rounded down to a multiple of this.
  public var rateResolution: MicrolitersPerHour
  /// Motor steps that move one millilitre.
  public var stepsPerMilliliter: Int64
  /// Shortest time between two motor steps, µs (bounds the mechanical max rate).
  public var minStepIntervalMicros: Int64
  public var upstreamOcclusion: MilliPSI
  public var downstreamOcclusion: MilliPSI
  /// Smallest single air bubble that alarms.
  public var airInLineBubble: Microliters
  public var batteryCapacityMilliampHours: Int64
  public var batteryDrainIdleMilliamps: Int64
  public var batteryDrainInfusingMilliamps: Int64
  /// Battery-low alarm when estimated remaining run time falls below this.
  public var batteryLowRemaining: Milliseconds
  public var controlTick: Milliseconds
  public var uartBaud: Int64
  public var uartDataBits: Int64
  /// 0 none, 1 odd, 2 even.
  public var uartParity: Int64
  public var uartStopBits: Int64
  public var nvMemoryBytes: Int64
  public var watchdogTimeout: Milliseconds
  /// Over/under-infusion observation windows for basal and for boluses.
  public var flowWindowBasal: Milliseconds
  public var flowWindowBolus: Milliseconds
  /// Measured flow above commanded by more than this percentage is over-infusion.
  public var overInfusionTolerancePercent: Int64
  /// Measured flow below commanded by more than this percentage is under-infusion.
  public var underInfusionTolerancePercent: Int64
  /// Low reservoir: below this volume, or below `lowReservoirTime` at the current rate.
  public var lowReservoirVolume: Microliters
  public var lowReservoirTime: Milliseconds
  /// Longest audio pause (IEC 60601-1-8 practice: ≤ 120 s).
  public var maxAudioPause: Milliseconds
  /// Low-priority reminder when paused (or programmed and not started) this long.
  public var pausedTooLong: Milliseconds

  public init(
    reservoirVolume: Microliters, minRate: MicrolitersPerHour, maxRate: MicrolitersPerHour,
    rateResolution: MicrolitersPerHour, stepsPerMilliliter: Int64, minStepIntervalMicros: Int64,
    upstreamOcclusion: MilliPSI, downstreamOcclusion: MilliPSI, airInLineBubble: Microliters,
    batteryCapacityMilliampHours: Int64, batteryDrainIdleMilliamps: Int64,
    batteryDrainInfusingMilliamps: Int64, batteryLowRemaining: Milliseconds,
    controlTick: Milliseconds, uartBaud: Int64, uartDataBits: Int64, uartParity: Int64,
    uartStopBits: Int64, nvMemoryBytes: Int64, watchdogTimeout: Milliseconds,
    flowWindowBasal: Milliseconds, flowWindowBolus: Milliseconds,
    overInfusionTolerancePercent: Int64, underInfusionTolerancePercent: Int64,
    lowReservoirVolume: Microliters, lowReservoirTime: Milliseconds,
    maxAudioPause: Milliseconds, pausedTooLong: Milliseconds
  ) {
    self.reservoirVolume = reservoirVolume
    self.minRate = minRate
    self.maxRate = maxRate
    self.rateResolution = rateResolution
    self.stepsPerMilliliter = stepsPerMilliliter
    self.minStepIntervalMicros = minStepIntervalMicros
    self.upstreamOcclusion = upstreamOcclusion
    self.downstreamOcclusion = downstreamOcclusion
    self.airInLineBubble = airInLineBubble
    self.batteryCapacityMilliampHours = batteryCapacityMilliampHours
    self.batteryDrainIdleMilliamps = batteryDrainIdleMilliamps
    self.batteryDrainInfusingMilliamps = batteryDrainInfusingMilliamps
    self.batteryLowRemaining = batteryLowRemaining
    self.controlTick = controlTick
    self.uartBaud = uartBaud
    self.uartDataBits = uartDataBits
    self.uartParity = uartParity
    self.uartStopBits = uartStopBits
    self.nvMemoryBytes = nvMemoryBytes
    self.watchdogTimeout = watchdogTimeout
    self.flowWindowBasal = flowWindowBasal
    self.flowWindowBolus = flowWindowBolus
    self.overInfusionTolerancePercent = overInfusionTolerancePercent
    self.underInfusionTolerancePercent = underInfusionTolerancePercent
    self.lowReservoirVolume = lowReservoirVolume
    self.lowReservoirTime = lowReservoirTime
    self.maxAudioPause = maxAudioPause
    self.pausedTooLong = pausedTooLong
  }

  /// The fastest rate the mechanism can move (one step per `minStepIntervalMicros`), µL/h.
  public var mechanicalMaxRate: MicrolitersPerHour {
    // steps/h = 3.6e9 / interval; µL/h = steps/h × 1000 / stepsPerMilliliter.
    MicrolitersPerHour(
      Arith.mulDivFloor(3_600_000_000_000 / max(minStepIntervalMicros, 1), 1, stepsPerMilliliter))
  }
}

// Equality is for host code and tests; Embedded builds leave it out to save flash.
#if !hasFeature(Embedded)
  extension HardwareProfile: Hashable {}
#endif
