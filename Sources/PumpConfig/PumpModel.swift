import PumpCore
import PumpHardware
import PumpProtocol

extension PumpModel {
  static let topFields = [
    "id", "name", "description", "reservoir_volume", "min_rate", "max_rate", "rate_resolution",
    "motor", "occlusion", "air_in_line_bubble", "battery", "control_tick", "uart",
    "nv_memory_bytes", "watchdog_timeout", "flow_monitor", "low_reservoir", "max_audio_pause",
    "paused_too_long",
  ]

  /// Reads and validates one model document. Every HardwareProfile field is required.
  /// `expectedID`, when given (directory loads), must equal the `id` field.
  static func parse(_ root: YAMLNode, expectedID: String? = nil) throws(ConfigError) -> PumpModel {
    let f = try root.fields(allowed: topFields, what: "a pump model")
    let idNode = try f.required("id")
    let id = try idNode.text()
    guard
      id.unicodeScalars.allSatisfy({
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
      })
    else {
      throw idNode.error("'\(id)' is not a valid id (use lowercase letters, digits and '-')")
    }
    if let expectedID, id != expectedID {
      throw idNode.error("'\(id)' must match the file name '\(expectedID).yaml'")
    }
    let name = try f.required("name").text()
    let description = try f.required("description").text()

    let reservoirNode = try f.required("reservoir_volume")
    let reservoir = try reservoirNode.quantity(.volume)
    let minRateNode = try f.required("min_rate")
    let minRate = try minRateNode.quantity(.flowRate)
    let maxRateNode = try f.required("max_rate")
    let maxRate = try maxRateNode.quantity(.flowRate)
    let resolutionNode = try f.required("rate_resolution")
    let resolution = try resolutionNode.quantity(.flowRate)

    let motor = try f.required("motor").fields(
      allowed: ["steps_per_ml", "min_step_interval"], what: "the motor section")
    let stepsNode = try motor.required("steps_per_ml")
    let steps = try stepsNode.integer(in: 1...1_000_000_000)
    let intervalNode = try motor.required("min_step_interval")
    let interval = try intervalNode.quantity(.time)

    let occlusion = try f.required("occlusion").fields(
      allowed: ["upstream", "downstream"], what: "the occlusion section")
    let upstreamNode = try occlusion.required("upstream")
    let upstream = try upstreamNode.quantity(.pressure)
    let downstreamNode = try occlusion.required("downstream")
    let downstream = try downstreamNode.quantity(.pressure)

    let bubbleNode = try f.required("air_in_line_bubble")
    let bubble = try bubbleNode.quantity(.volume)

    let battery = try f.required("battery").fields(
      allowed: ["capacity", "drain_idle", "drain_infusing", "low_remaining"],
      what: "the battery section")
    let capacityNode = try battery.required("capacity")
    let capacity = try capacityNode.quantity(.capacity)
    let idleNode = try battery.required("drain_idle")
    let drainIdle = try idleNode.quantity(.current)
    let infusingNode = try battery.required("drain_infusing")
    let drainInfusing = try infusingNode.quantity(.current)
    let lowRemainingNode = try battery.required("low_remaining")
    let lowRemaining = try lowRemainingNode.milliseconds()

    let tickNode = try f.required("control_tick")
    let tick = try tickNode.milliseconds()

    let uart = try f.required("uart").fields(
      allowed: ["baud", "data_bits", "parity", "stop_bits"], what: "the uart section")
    let baud = try uart.required("baud").integer(in: 300...4_000_000)
    let dataBits = try uart.required("data_bits").integer(in: 5...8)
    let parity = try uart.required("parity").choice(
      [("none", Int64(0)), ("odd", 1), ("even", 2)], what: "parity")
    let stopBits = try uart.required("stop_bits").integer(in: 1...2)

    let nvMemory = try f.required("nv_memory_bytes").integer(in: 1...Int64(Int32.max))
    let watchdogNode = try f.required("watchdog_timeout")
    let watchdog = try watchdogNode.milliseconds()

    let flow = try f.required("flow_monitor").fields(
      allowed: [
        "window_basal", "window_bolus", "over_infusion_tolerance",
        "under_infusion_tolerance",
      ],
      what: "the flow_monitor section")
    let windowBasalNode = try flow.required("window_basal")
    let windowBasal = try windowBasalNode.milliseconds()
    let windowBolusNode = try flow.required("window_bolus")
    let windowBolus = try windowBolusNode.milliseconds()
    let overNode = try flow.required("over_infusion_tolerance")
    let over = try overNode.quantity(.percent)
    let underNode = try flow.required("under_infusion_tolerance")
    let under = try underNode.quantity(.percent)

    let low = try f.required("low_reservoir").fields(
      allowed: ["volume", "time"], what: "the low_reservoir section")
    let lowVolumeNode = try low.required("volume")
    let lowVolume = try lowVolumeNode.quantity(.volume)
    let lowTimeNode = try low.required("time")
    let lowTime = try lowTimeNode.milliseconds()

    let audioNode = try f.required("max_audio_pause")
    let audioPause = try audioNode.milliseconds()
    let pausedNode = try f.required("paused_too_long")
    let pausedTooLong = try pausedNode.milliseconds()

    // Consistency checks, each reported at the field that has to change.
    func positive(_ value: Int64, _ node: YAMLNode) throws(ConfigError) {
      if value <= 0 { throw node.error("must be greater than 0") }
    }
    try positive(reservoir, reservoirNode)
    try positive(minRate, minRateNode)
    try positive(resolution, resolutionNode)
    guard minRate <= maxRate else {
      throw maxRateNode.error(
        "\(Quantity.format(maxRate, as: .flowRate)) is below min_rate "
          + Quantity.format(minRate, as: .flowRate))
    }
    guard minRate % resolution == 0 else {
      throw minRateNode.error(
        "\(Quantity.format(minRate, as: .flowRate)) is not a multiple of rate_resolution "
          + Quantity.format(resolution, as: .flowRate))
    }
    guard maxRate % resolution == 0 else {
      throw maxRateNode.error(
        "\(Quantity.format(maxRate, as: .flowRate)) is not a multiple of rate_resolution "
          + Quantity.format(resolution, as: .flowRate))
    }
    try positive(interval, intervalNode)
    let profile = HardwareProfile(
      reservoirVolume: Microliters(reservoir), minRate: MicrolitersPerHour(minRate),
      maxRate: MicrolitersPerHour(maxRate), rateResolution: MicrolitersPerHour(resolution),
      stepsPerMilliliter: steps, minStepIntervalMicros: interval,
      upstreamOcclusion: MilliPSI(upstream), downstreamOcclusion: MilliPSI(downstream),
      airInLineBubble: Microliters(bubble), batteryCapacityMilliampHours: capacity,
      batteryDrainIdleMilliamps: drainIdle, batteryDrainInfusingMilliamps: drainInfusing,
      batteryLowRemaining: lowRemaining, controlTick: tick, uartBaud: baud,
      uartDataBits: dataBits, uartParity: parity, uartStopBits: stopBits,
      nvMemoryBytes: nvMemory, watchdogTimeout: watchdog, flowWindowBasal: windowBasal,
      flowWindowBolus: windowBolus, overInfusionTolerancePercent: over,
      underInfusionTolerancePercent: under, lowReservoirVolume: Microliters(lowVolume),
      lowReservoirTime: lowTime, maxAudioPause: audioPause, pausedTooLong: pausedTooLong)
    let mechanical = profile.mechanicalMaxRate.rawValue
    guard maxRate <= mechanical else {
      throw maxRateNode.error(
        "\(Quantity.format(maxRate, as: .flowRate)) exceeds the mechanical maximum "
          + "\(Quantity.format(mechanical, as: .flowRate)) (motor.steps_per_ml \(steps), "
          + "motor.min_step_interval \(Quantity.format(interval, as: .time)))")
    }
    try positive(upstream, upstreamNode)
    try positive(downstream, downstreamNode)
    guard downstream <= 20_000 else {
      // ECRI: downstream occlusion pressure limit ≤ 20 psi (1034 mmHg).
      throw downstreamNode.error(
        "\(Quantity.format(downstream, as: .pressure)) is above the ECRI limit of 20 psi")
    }
    try positive(bubble, bubbleNode)
    try positive(capacity, capacityNode)
    try positive(drainIdle, idleNode)
    guard drainInfusing >= drainIdle else {
      throw infusingNode.error("\(drainInfusing) mA is below battery.drain_idle \(drainIdle) mA")
    }
    try positive(lowRemaining.rawValue, lowRemainingNode)
    guard (1...100).contains(tick.rawValue) else {
      throw tickNode.error("\(Quantity.format(tick)) is outside 1 ms...100 ms")
    }
    guard watchdog > tick else {
      throw watchdogNode.error(
        "\(Quantity.format(watchdog)) must be longer than control_tick \(Quantity.format(tick))")
    }
    guard windowBasal >= tick else {
      throw windowBasalNode.error("must be at least control_tick \(Quantity.format(tick))")
    }
    guard windowBolus >= tick else {
      throw windowBolusNode.error("must be at least control_tick \(Quantity.format(tick))")
    }
    guard (1...100).contains(over) else { throw overNode.error("\(over) % is outside 1 %...100 %") }
    guard (1...100).contains(under) else {
      throw underNode.error("\(under) % is outside 1 %...100 %")
    }
    try positive(lowVolume, lowVolumeNode)
    guard lowVolume < reservoir else {
      throw lowVolumeNode.error(
        "\(Quantity.format(lowVolume, as: .volume)) must be below reservoir_volume "
          + Quantity.format(reservoir, as: .volume))
    }
    try positive(lowTime.rawValue, lowTimeNode)
    guard audioPause.rawValue > 0, audioPause <= .seconds(120) else {
      // IEC 60601-1-8 practice: audio pause at most 2 min.
      throw audioNode.error("\(Quantity.format(audioPause)) is outside 1 ms...120 s")
    }
    try positive(pausedTooLong.rawValue, pausedNode)
    return PumpModel(id: id, name: name, description: description, profile: profile)
  }
}
