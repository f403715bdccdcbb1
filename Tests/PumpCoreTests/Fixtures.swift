import PumpCore
import PumpHardware

/// A 60 mL syringe PCA pump. 4800 steps/mL makes a step 208⅓ nL, so volume and mass never divide
/// evenly: the rounding paths are exercised on purpose.
let testProfile = HardwareProfile(
  reservoirVolume: .milliliters(60), minRate: MicrolitersPerHour(100),
  maxRate: .millilitersPerHour(200), rateResolution: MicrolitersPerHour(100),
  stepsPerMilliliter: 4800, minStepIntervalMicros: 3000, upstreamOcclusion: .psi(1),
  downstreamOcclusion: .psi(10), airInLineBubble: Microliters(50),
  batteryCapacityMilliampHours: 2000, batteryDrainIdleMilliamps: 20,
  batteryDrainInfusingMilliamps: 60, batteryLowRemaining: .minutes(30),
  controlTick: Milliseconds(10),
  uartBaud: 115_200, uartDataBits: 8, uartParity: 0, uartStopBits: 1, nvMemoryBytes: 65_536,
  watchdogTimeout: Milliseconds(100), flowWindowBasal: .minutes(5), flowWindowBolus: .minutes(1),
  overInfusionTolerancePercent: 10, underInfusionTolerancePercent: 10,
  lowReservoirVolume: .milliliters(1), lowReservoirTime: .minutes(30),
  maxAudioPause: .seconds(120), pausedTooLong: .minutes(15))

func g(_ lh: Int64, _ ls: Int64, _ us: Int64, _ uh: Int64) -> Guardrail {
  Guardrail(lowerHard: lh, lowerSoft: ls, upperSoft: us, upperHard: uh)
}

let acuteEntry = DrugEntry(
  id: DrugEntryID(1), careArea: .acutePostOp, concentration: g(1000, 1000, 5000, 10_000),
  patientWeight: g(20_000, 50_000, 150_000, 250_000), basalRatePerKg: g(0, 0, 300, 1000),
  basalRate: g(0, 0, 15_000, 25_000), loadingDosePerKg: g(0, 0, 200, 350),
  loadingDose: g(0, 0, 10_000, 20_000), bolusDosePerKg: g(0, 0, 100, 350),
  bolusDose: g(0, 0, 5000, 20_000), bolusRate: g(1000, 10_000, 100_000, 200_000),
  lockout: g(300_000, 360_000, 1_800_000, 3_600_000), maxBolusesPerHour: g(1, 1, 6, 12),
  limit1hPerKg: g(0, 0, 500, 1350), limit1h: g(0, 0, 25_000, 40_000),
  limit4hPerKg: g(0, 0, 2000, 4000), limit4h: g(0, 0, 80_000, 120_000),
  vtbi: g(100, 1000, 60_000, 60_000), kvoRate: g(0, 100, 1000, 1000),
  rateIncreaseInterval: g(900_000, 3_600_000, 86_400_000, 86_400_000))

var chronicEntry: DrugEntry {
  var e = acuteEntry
  e.id = DrugEntryID(2)
  e.careArea = .chronicPain
  return e
}

let testFormulary = Formulary(
  entries: [acuteEntry, chronicEntry], acutePostOp: .ketamineDefault,
  chronicPain: .ketamineDefault, paediatric: .ketamineDefault)

/// 70 kg adult, 5 mg/mL, basal 5 mg/h (1 mL/h), bolus 2 mg (0.4 mL) at 60 mL/h, lockout 10 min,
/// 4 boluses/h, 15 mg per hour, 40 mg per 4 h, KVO 0.1 mL/h, rate raised at most hourly.
let standardRx = Prescription(
  drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
  patientWeight: .kilograms(70), basalRate: .milligramsPerHour(5), loadingDose: .zero,
  bolusDose: .milligrams(2), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
  maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
  vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))

let calmVitals = VitalsSample(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)

/// A controller on simulated hardware, in virtual time.
struct Bench {
  var rig: PumpRig
  var effects: [Effect] = []

  init(
    start: Milliseconds = .zero, formulary: Formulary = testFormulary,
    profile: HardwareProfile = testProfile
  ) {
    rig = PumpRig(
      controller: PumpController(profile: profile, formulary: formulary, now: start),
      hardware: SimulatedHardware(profile: profile, now: start))
  }

  var pump: PumpController { rig.controller }
  var now: Milliseconds { rig.now }
  var mode: Mode { rig.controller.mode }

  /// Sends an event `after` the current time; collects effects.
  @discardableResult
  mutating func send(_ e: PumpEvent, after: Milliseconds = .zero) -> Rejection? {
    var collected: [Effect] = []
    let r = rig.send(e, at: now + after) { collected.append(contentsOf: $0.effects) }
    effects.append(contentsOf: collected)
    return r
  }

  /// Runs for `duration`, feeding `vitals` every `every` (nil: no vitals).
  mutating func run(
    _ duration: Milliseconds, vitals: VitalsSample? = calmVitals, every: Milliseconds = .seconds(1)
  ) {
    let end = now + duration
    var collected: [Effect] = []
    while now < end {
      let next = min(now + every, end)
      rig.advance(to: next) { collected.append(contentsOf: $0.effects) }
      if let v = vitals, next < end || duration.rawValue % every.rawValue == 0 {
        _ = rig.controller.handle(.vitals(v), now: next)
        collected.append(contentsOf: rig.controller.effects)
      }
    }
    effects.append(contentsOf: collected)
  }

  /// Self-test passed, standard prescription programmed and started, vitals fed once.
  static func infusing(_ rx: Prescription = standardRx, start: Milliseconds = .zero) -> Bench {
    var b = Bench(start: start)
    b.send(.selfTestResult(passed: true))
    b.send(.vitals(calmVitals))
    b.send(.program(rx))
    b.send(.start)
    return b
  }

  func raised(_ c: AlarmCode) -> Bool { effects.contains(.alarmRaised(c)) }
  func active(_ c: AlarmCode) -> Bool { pump.alarms.isActive(c) }
  mutating func clearEffects() { effects.removeAll() }
}
