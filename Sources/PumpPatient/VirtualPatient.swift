import PumpCore

/// One individual: the parameters a `Patient` simulation runs with. The typical individual of a
/// profile, or one drawn from it with variability (`PatientProfile.individual(seed:)`, `cohort`).
public struct VirtualPatient: Sendable, Equatable {
  public var profileID: String
  public var weight: Grams
  public var pk: PKParameters
  public var pd: PDParameters
  public var baselines: Baselines
  public var noise: NoiseParameters
  public var demand: DemandParameters

  public init(
    profileID: String, weight: Grams, pk: PKParameters, pd: PDParameters, baselines: Baselines,
    noise: NoiseParameters, demand: DemandParameters
  ) {
    self.profileID = profileID
    self.weight = weight
    self.pk = pk
    self.pd = pd
    self.baselines = baselines
    self.noise = noise
    self.demand = demand
  }
}

extension PatientProfile {
  /// One individual drawn from this profile with its variability; the same seed gives the same
  /// individual.
  public func individual(seed: UInt64) -> VirtualPatient {
    var g = PatientRandom.stream(seed: seed, 1)
    let v = variability
    func logNormal(_ x: Double, _ omega: Double) -> Double {
      let eta = g.normal()
      return omega > 0 ? x * PatientMath.exp(omega * eta) : x
    }
    func emax(_ r: EmaxRelation, ec50Factor: Double) -> EmaxRelation {
      EmaxRelation(emax: logNormal(r.emax, v.emax), ec50: r.ec50 * ec50Factor, gamma: r.gamma)
    }
    var p = typical
    let k = p.pk
    p.pk = PKParameters(
      v1: logNormal(k.v1, v.volumes), v2: logNormal(k.v2, v.volumes),
      v3: logNormal(k.v3, v.volumes), cl: logNormal(k.cl, v.clearances),
      q2: logNormal(k.q2, v.clearances), q3: logNormal(k.q3, v.clearances),
      ke0: logNormal(k.ke0, v.ke0))
    // One haemodynamic sensitivity: HR, SBP and DBP rise through the same sympathetic
    // stimulation, so their EC50s share one η (ASSUMPTION, docs/PATIENT.md); analgesia has its own.
    let haemodynamic = logNormal(1, v.ec50)
    p.pd.hr = emax(p.pd.hr, ec50Factor: haemodynamic)
    p.pd.sbp = emax(p.pd.sbp, ec50Factor: haemodynamic)
    p.pd.dbp = emax(p.pd.dbp, ec50Factor: haemodynamic)
    p.pd.analgesia = emax(p.pd.analgesia, ec50Factor: logNormal(1, v.ec50))
    let b = baselines
    p.baselines.hr = max(b.hr + v.hrSD * g.normal(), 40)
    p.baselines.sbp = max(b.sbp + v.sbpSD * g.normal(), 80)
    p.baselines.dbp = min(max(b.dbp + v.dbpSD * g.normal(), 40), p.baselines.sbp - 20)
    p.baselines.pain = min(max(b.pain + v.painSD * g.normal(), 0), 10)
    return p
  }

  /// `count` individuals; individual i is `individual(seed:)` of a seed derived from
  /// (`seed`, i), so a cohort can be generated, or run, in any order or in parallel.
  public func cohort(count: Int, seed: UInt64) -> [VirtualPatient] {
    (0..<max(count, 0)).map { individual(seed: Self.memberSeed(seed, $0)) }
  }

  /// The seed of cohort member `index`.
  public static func memberSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
    var g = PatientRandom.stream(seed: seed, UInt64(index) &+ 0x1000)
    return g.next()
  }
}
