import PumpCore

/// The whole simulated pump as bytes: the controller's safety state and logs, and the hardware
/// (motor position and sub-step remainder, reservoir load, pressures, injected faults, battery
/// charge). Restoring gives a rig that behaves exactly as the one captured, from that instant on
/// (docs/FIRMWARE.md "Snapshots"). Offline traces use it for power loss and restart.
///
/// Layout: magic "KR", schema byte, controller snapshot, log snapshot, hardware, steps.
extension PumpRig {
  /// The layout of `snapshot()`.
  public static let snapshotSchema: UInt8 = 1

  public func snapshot() -> [UInt8] {
    var w = SnapshotWriter(capacity: 8192)
    w.byte(0x4B)
    w.byte(0x52)
    w.byte(Self.snapshotSchema)
    controller.encode(into: &w)
    w.raw(controller.logSnapshot())
    hardware.encode(into: &w)
    w.int(steps)
    return w.bytes
  }

  /// A rig in exactly the state `snapshot()` captured, for this profile and formulary.
  public init(restoring bytes: [UInt8], profile: HardwareProfile, formulary: Formulary)
    throws(SnapshotError)
  {
    var r = SnapshotReader(bytes)
    guard try r.byte() == 0x4B, try r.byte() == 0x52 else { throw .invalid }
    let schema = try r.byte()
    guard schema == Self.snapshotSchema else { throw .schema(schema) }
    var controller = try PumpController(from: &r, profile: profile, formulary: formulary)
    try controller.restoreLogs(try r.raw(maxCount: 1 << 24))
    let hardware = try SimulatedHardware(from: &r, profile: profile)
    self.init(controller: controller, hardware: hardware)
    steps = try r.int()
    try r.end()
  }
}

extension SimulatedHardware {
  func encode(into w: inout SnapshotWriter) {
    w.ms(now)
    w.int(rate.rawValue)
    w.int(totalSteps)
    w.int(unreportedSteps)
    w.int(stepFraction)
    w.int(loadedVolume.rawValue)
    w.int(stepsAtLoad)
    w.byte(
      (downstreamOccluded ? 1 : 0) | (upstreamOccluded ? 2 : 0) | (doorOpen ? 4 : 0)
        | (motorStalled ? 8 : 0) | (motorRunaway ? 16 : 0) | (sensorFailed ? 32 : 0)
        | (onMains ? 64 : 0))
    w.int(downstreamPressure.rawValue)
    w.int(upstreamPressure.rawValue)
    w.int(pendingAir.rawValue)
    w.int(charge)
  }

  init(from r: inout SnapshotReader, profile: HardwareProfile) throws(SnapshotError) {
    self.init(profile: profile, now: try r.ms())
    rate = MicrolitersPerHour(try r.int())
    totalSteps = try r.int()
    unreportedSteps = try r.int()
    stepFraction = try r.int()
    loadedVolume = Microliters(try r.int())
    stepsAtLoad = try r.int()
    reloaded()
    let flags = try r.byte()
    guard flags < 128 else { throw .invalid }
    downstreamOccluded = flags & 1 != 0
    upstreamOccluded = flags & 2 != 0
    doorOpen = flags & 4 != 0
    motorStalled = flags & 8 != 0
    motorRunaway = flags & 16 != 0
    sensorFailed = flags & 32 != 0
    onMains = flags & 64 != 0
    downstreamPressure = MilliPSI(try r.int())
    upstreamPressure = MilliPSI(try r.int())
    pendingAir = Microliters(try r.int())
    charge = try r.int()
  }
}
