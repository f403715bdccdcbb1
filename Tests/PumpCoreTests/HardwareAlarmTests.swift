import PumpCore
import Testing

@Suite("Hardware alarms")
struct HardwareAlarmTests {
  @Test(
    "REQ-HW-OCCLUSION-01: downstream pressure above the profile threshold → high alarm and stop")
  func downstream() {
    var b = Bench.infusing()
    b.rig.hardware.downstreamOccluded = true
    b.run(.minutes(2))  // 1 mL/h pushes 10 psi (10 µL) in 36 s
    #expect(b.raised(.occlusionDownstream))
    #expect(b.mode == .paused(.alarm))
    #expect(b.pump.commandedRate == .zero)
    #expect(b.send(.resume) == .alarmConditionPresent)
  }

  @Test("REQ-HW-OCCLUSION-02: upstream occlusion above 1 psi → high alarm and stop")
  func upstream() {
    var b = Bench.infusing()
    b.rig.hardware.upstreamOccluded = true
    b.run(.seconds(10))
    #expect(b.raised(.occlusionUpstream))
    #expect(b.mode == .paused(.alarm))
  }

  @Test("REQ-HW-AIR-01: a bubble at or above the detection size stops the pump (latched)")
  func air() {
    var b = Bench.infusing()
    b.rig.hardware.injectAir(Microliters(20))
    b.run(.milliseconds(20))
    #expect(!b.raised(.airInLine))
    b.rig.hardware.injectAir(Microliters(60))
    b.run(.milliseconds(20))
    #expect(b.raised(.airInLine))
    #expect(b.active(.airInLine))  // latched after the bubble passed
    #expect(b.mode == .paused(.alarm))
  }

  @Test("REQ-HW-DOOR-01: door open → high alarm and stop")
  func door() {
    var b = Bench.infusing()
    b.rig.hardware.doorOpen = true
    b.run(.milliseconds(10))
    #expect(b.mode == .paused(.alarm))
    #expect(b.active(.doorOpen))
  }

  @Test("REQ-HW-RESERVOIR-01: low reservoir (< 1 mL or < 30 min left) → medium warning")
  func reservoirLow() {
    var b = Bench.infusing()
    b.rig.hardware.loadReservoir(Microliters(600))  // 36 min at 1 mL/h
    b.run(.minutes(5))
    #expect(b.active(.reservoirLow))  // < 30 min left
    #expect(b.mode == .infusing(.basal))
    var c = Bench.infusing()
    c.rig.hardware.loadReservoir(Microliters(900))
    c.send(.changeBasalRate(.zero))
    c.run(.seconds(1))
    #expect(c.active(.reservoirLow))  // < 1 mL even with no flow
  }

  @Test("REQ-HW-RESERVOIR-02: empty reservoir → high alarm and stop")
  func reservoirEmpty() {
    var b = Bench.infusing()
    b.rig.hardware.loadReservoir(Microliters(100))
    b.run(.minutes(7))
    #expect(b.raised(.reservoirEmpty))
    #expect(b.mode == .paused(.alarm))
  }

  @Test("REQ-HW-BATTERY-01: on battery with less than the profile's reserve → medium warning")
  func batteryLow() {
    var b = Bench.infusing()
    b.rig.hardware.onMains = false
    b.rig.hardware.setBatteryRemaining(.minutes(31))
    b.run(.minutes(2))
    #expect(b.active(.batteryLow))
    #expect(b.mode == .infusing(.basal))
    b.rig.hardware.onMains = true
    b.run(.milliseconds(10))
    #expect(!b.active(.batteryLow))
  }

  @Test("REQ-HW-BATTERY-02: battery depleted → high alarm and stop")
  func batteryDepleted() {
    var b = Bench.infusing()
    b.rig.hardware.onMains = false
    b.rig.hardware.setBatteryRemaining(.seconds(30))
    b.run(.minutes(1))
    #expect(b.raised(.batteryDepleted))
    #expect(b.mode == .paused(.alarm))
  }

  @Test("REQ-HW-OVERINFUSION-01: measured flow above commanded → high alarm, stop, unsilenceable")
  func overInfusion() {
    var b = Bench.infusing()
    b.run(.minutes(1))
    b.rig.hardware.motorRunaway = true
    b.run(.milliseconds(200))
    #expect(b.raised(.overInfusion))
    #expect(b.mode == .paused(.alarm))
    #expect(b.pump.commandedRate == .zero)
  }

  @Test("REQ-HW-UNDERINFUSION-01: measured flow below commanded over the window → low warning")
  func underInfusion() {
    var b = Bench.infusing()
    b.rig.hardware.motorStalled = true
    b.run(.minutes(6))
    #expect(b.raised(.underInfusion))
    #expect(AlarmCode.underInfusion.priority == .low)
    #expect(b.mode == .infusing(.basal))
    #expect(b.pump.ledger.totalSteps == 0)  // REQ-DOSE-MEASURED-01: nothing counted
  }

  @Test("REQ-HW-IDLE-01: paused (or programmed) too long → low reminder")
  func pausedTooLong() {
    var b = Bench.infusing()
    b.send(.pause)
    b.run(.minutes(14))
    #expect(!b.active(.pausedTooLong))
    b.run(.minutes(2))
    #expect(b.active(.pausedTooLong))
    b.send(.resume)
    #expect(!b.active(.pausedTooLong))
  }

  @Test("REQ-HW-WATCHDOG-01: watchdog or software fault from the shell → fault, motor off")
  func watchdog() {
    var b = Bench.infusing()
    b.send(.fault(.watchdog))
    #expect(b.mode == .fault(.watchdog))
    #expect(b.rig.hardware.rate == .zero)
  }

  @Test("REQ-HW-SENSOR-01: a failed sensor faults the pump")
  func sensorFailure() {
    var b = Bench.infusing()
    b.rig.hardware.sensorFailed = true
    b.run(.milliseconds(10))
    #expect(b.mode == .fault(.sensor))
    #expect(b.active(.sensorFailure))
  }

  @Test("REQ-TIMING-STOP-01: a high-priority stop takes effect in the tick it is detected")
  func stopSameTick() {
    var b = Bench.infusing()
    b.run(.seconds(1))
    b.rig.hardware.doorOpen = true
    b.rig.step(at: b.now + Milliseconds(10))
    #expect(b.pump.effects.contains(.alarmRaised(.doorOpen)))
    #expect(b.pump.effects.contains(.motor(.zero)))
    #expect(b.rig.hardware.rate == .zero)
  }

  @Test("REQ-SENSOR-INPUT-01: out-of-range sensor values are rejected and change nothing")
  func badSensor() {
    var b = Bench.infusing()
    #expect(b.send(.sensor(.reservoir(Microliters(-1)))) == .invalidValue)
    #expect(b.send(.sensor(.motorSteps(-3))) == .invalidValue)
    #expect(b.send(.sensor(.downstreamPressure(MilliPSI(5_000_000)))) == .invalidValue)
    #expect(b.mode == .infusing(.basal))
  }
}
