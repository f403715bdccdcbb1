import PumpCore

/// A simulated patient on a monitor: drug in (µg actually delivered per step) → PK → effect
/// site → vitals, pain, dissociation → monitor samples and PCA presses. Pure and seeded: the
/// same individual, settings, seed and inputs give the same outputs.
public struct Patient: Sendable {
  public let individual: VirtualPatient
  public let monitor: MonitorSettings
  public private(set) var now: Milliseconds
  public private(set) var pk: Pharmacokinetics
  /// The true state at `now`.
  public private(set) var vitals: PatientVitals
  /// Presses since the start.
  public private(set) var presses: Int64 = 0
  var noise: [NoiseProcess]
  var noiseRandom: PatientRandom
  var monitorRandom: PatientRandom
  var demandRandom: PatientRandom
  var channels = MonitorChannels()
  let hrEffect: PreparedEmax
  let sbpEffect: PreparedEmax
  let dbpEffect: PreparedEmax
  let analgesia: PreparedEmax
  private var demandMinutes = -1.0
  private var pressChance = 0.0

  public init(
    _ individual: VirtualPatient, monitor: MonitorSettings = MonitorSettings(), seed: UInt64,
    start: Milliseconds = .zero
  ) {
    self.individual = individual
    self.monitor = monitor
    now = start
    pk = Pharmacokinetics(parameters: individual.pk)
    hrEffect = PreparedEmax(individual.pd.hr)
    sbpEffect = PreparedEmax(individual.pd.sbp)
    dbpEffect = PreparedEmax(individual.pd.dbp)
    analgesia = PreparedEmax(individual.pd.analgesia)
    noiseRandom = PatientRandom.stream(seed: seed, 2)
    monitorRandom = PatientRandom.stream(seed: seed, 3)
    demandRandom = PatientRandom.stream(seed: seed, 4)
    let n = individual.noise
    var g = noiseRandom
    noise = [
      (n.hrSD, n.vitalsTau), (n.sbpSD, n.vitalsTau), (n.dbpSD, n.vitalsTau),
      (n.spo2SD, n.vitalsTau), (n.rrSD, n.vitalsTau), (n.painSD, n.painTau),
    ].map { NoiseProcess(sd: $0.0, tauMinutes: $0.1, start: &g) }
    noiseRandom = g
    vitals = PatientVitals(
      hr: 0, sbp: 0, dbp: 0, spo2: 0, rr: 0, pain: 0, dissociation: 0, plasma: 0, effectSite: 0)
    channels.start(at: start, settings: monitor)
    vitals = truth()
  }

  /// Advances to `t` (> now; an earlier or equal `t` only adds the drug as a bolus), `delivered`
  /// having entered the vein at a constant rate since `now`.
  public mutating func advance(to t: Milliseconds, delivered: Micrograms) -> PatientStep {
    guard t > now else {
      pk.bolus(micrograms: Double(delivered.rawValue))
      vitals = truth()
      return PatientStep(sample: nil, presses: 0)
    }
    let dt = t - now
    let minutes = Double(dt.rawValue) / 60_000
    pk.advance(by: dt, delivered: delivered)
    for i in noise.indices { noise[i].advance(minutes: minutes, random: &noiseRandom) }
    now = t
    vitals = truth()
    var pressed = 0
    let d = individual.demand
    if minutes != demandMinutes {
      demandMinutes = minutes
      pressChance = 1 - PatientMath.exp(-d.pressesPerMinute * minutes)
    }
    if vitals.pain >= d.painThreshold, d.pressesPerMinute > 0, demandRandom.chance(pressChance) {
      pressed = 1
      presses += 1
    }
    let sample = channels.sample(
      at: t, elapsed: dt, vitals: vitals, settings: monitor, random: &monitorRandom)
    return PatientStep(sample: sample, presses: pressed)
  }

  /// The true state from the PK state and the noise. Inlined: called from the mutating
  /// `advance`, a call would copy the whole patient first.
  @inline(__always) func truth() -> PatientVitals {
    let ce = pk.effectSite
    let logC: Double? = ce > 0 ? PatientMath.log(ce) : nil
    let b = individual.baselines
    // HR, SBP and DBP usually share EC50 and γ (one sensitivity η): one exp serves them all.
    let eHR = hrEffect.effect(logC: logC)
    let eSBP =
      sbpEffect.sameCurve(as: hrEffect)
      ? eHR / hrEffect.emax * sbpEffect.emax
      : sbpEffect.effect(logC: logC)
    let eDBP =
      dbpEffect.sameCurve(as: hrEffect)
      ? eHR / hrEffect.emax * dbpEffect.emax
      : dbpEffect.effect(logC: logC)
    let sbp = b.sbp * (1 + eSBP) + noise[1].value
    let dbp = min(b.dbp * (1 + eDBP) + noise[2].value, sbp - 10)
    let pain = b.pain - analgesia.effect(logC: logC) + noise[5].value
    return PatientVitals(
      hr: b.hr * (1 + eHR) + noise[0].value, sbp: sbp, dbp: dbp,
      spo2: min(b.spo2 + noise[3].value, 100), rr: max(b.rr + noise[4].value, 4),
      pain: min(max(pain, 0), 10), dissociation: individual.pd.dissociation(at: ce),
      plasma: pk.plasma,
      effectSite: ce)
  }
}
