import PumpCore

/// The shipped syringe pump and drug-library entry 1 (HardwareProfiles/syringe-pca-60ml.yaml,
/// drug-library.yaml, care-areas.yaml) as values, so the explorers run without the YAML loader
/// (pumpexplore builds in release from PumpCore and PumpHardware alone). PumpConfigTests checks
/// they equal what PumpConfig loads (REQ-EXPLORE-RANDOM-01), so a printed counterexample with
/// `profile: syringe-pca-60ml`, `drug-entry: 1` replays the same pump.
public enum ExplorationDefaults {
  public static let profileID = "syringe-pca-60ml"

  public static let profile = HardwareProfile(
    reservoirVolume: .milliliters(60), minRate: MicrolitersPerHour(100),
    maxRate: MicrolitersPerHour(600_000), rateResolution: MicrolitersPerHour(100),
    stepsPerMilliliter: 5760, minStepIntervalMicros: 500, upstreamOcclusion: .psi(1),
    downstreamOcclusion: .psi(10), airInLineBubble: Microliters(50),
    batteryCapacityMilliampHours: 2000, batteryDrainIdleMilliamps: 20,
    batteryDrainInfusingMilliamps: 120, batteryLowRemaining: .minutes(3),
    controlTick: Milliseconds(10), uartBaud: 115_200, uartDataBits: 8, uartParity: 0,
    uartStopBits: 1, nvMemoryBytes: 65_536, watchdogTimeout: Milliseconds(100),
    flowWindowBasal: .minutes(5), flowWindowBolus: .minutes(1), overInfusionTolerancePercent: 5,
    underInfusionTolerancePercent: 5, lowReservoirVolume: .milliliters(1),
    lowReservoirTime: .minutes(30), maxAudioPause: .seconds(120), pausedTooLong: .minutes(5))

  static func g(_ lh: Int64, _ ls: Int64, _ us: Int64, _ uh: Int64) -> Guardrail {
    Guardrail(lowerHard: lh, lowerSoft: ls, upperSoft: us, upperHard: uh)
  }

  /// Drug-library entry 1: ketamine PCA, adult, acute post-op (ASRA 2018).
  public static let entry1 = DrugEntry(
    id: DrugEntryID(1), careArea: .acutePostOp, concentration: g(1000, 1000, 5000, 10_000),
    patientWeight: g(40_000, 50_000, 120_000, 200_000), basalRatePerKg: g(0, 0, 250, 1000),
    basalRate: g(0, 0, 25_000, 50_000), loadingDosePerKg: g(0, 0, 200, 350),
    loadingDose: g(0, 0, 15_000, 35_000), bolusDosePerKg: g(10, 20, 100, 350),
    bolusDose: g(500, 1000, 5000, 20_000), bolusRate: g(1000, 30_000, 300_000, 600_000),
    lockout: g(300_000, 360_000, 900_000, 3_600_000), maxBolusesPerHour: g(1, 2, 6, 12),
    limit1hPerKg: g(50, 100, 500, 1000), limit1h: g(1000, 5000, 25_000, 50_000),
    limit4hPerKg: g(200, 400, 2000, 4000), limit4h: g(4000, 20_000, 100_000, 200_000),
    vtbi: g(1000, 10_000, 60_000, 100_000), kvoRate: g(0, 100, 1000, 2000),
    rateIncreaseInterval: g(900_000, 3_600_000, 14_400_000, 86_400_000))

  /// The paediatric care area's bands (care-areas.yaml).
  public static let paediatric = VitalsPolicy(
    sbp: VitalBand(warningLow: 80, criticalLow: 70, warningHigh: 130, criticalHigh: 145),
    dbp: VitalBand(warningHigh: 85, criticalHigh: 95),
    hr: VitalBand(warningLow: 60, criticalLow: 50, warningHigh: 140, criticalHigh: 160),
    spo2: VitalBand(warningLow: 92, criticalLow: 88),
    rr: VitalBand(warningLow: 12, criticalLow: 10),
    required: 15, persistSamples: 2, persistTime: .seconds(10), staleAfter: .seconds(5),
    interlockWarnings: 2)

  /// Entry 1 and the three care areas' vitals policies.
  public static let formulary = Formulary(
    entries: [entry1], acutePostOp: .ketamineDefault, chronicPain: .ketamineDefault,
    paediatric: paediatric)

  /// The ASRA-style PCA prescription of the benchmarks: 70 kg, 5 mg/mL, basal 5 mg/h, bolus
  /// 2 mg at 60 mL/h, lockout 10 min, 4 per hour, 15 mg/h, 40 mg/4 h, KVO 0.1 mL/h.
  public static let prescription = Prescription(
    drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
    patientWeight: .kilograms(70), basalRate: .milligramsPerHour(5), loadingDose: .zero,
    bolusDose: .milligrams(2), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
    maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
    vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))
}
