import PumpCore
import PumpPatient
import PumpPatientLoop

/// A patient trace replayed offline across a seeded cohort (`pumpmon replay --cohort N`):
/// member i is the patient file's individual of seed `PatientProfile.memberSeed(seed, i)`
/// (inter-individual variability), with that seed for its noise, monitor and presses too, so
/// member i depends only on (seed, i) and the outcome is bit-identical whatever the number of
/// threads (`Cohort.run`).
public enum CohortReplay {
  /// The largest cohort `pumpmon replay --cohort` accepts.
  public static let maxCount = 100_000

  /// Why a cohort cannot run.
  public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
    case count(Int)
    case noPatient(file: String)

    public var description: String {
      switch self {
      case .count(let n):
        "--cohort: expected a number of patients 1…\(CohortReplay.maxCount), found \(n)"
      case .noPatient(let f):
        "\(f): --cohort needs a trace with a 'patient:' header field"
      }
    }
  }

  /// What one member's course came to.
  public struct Member: Sendable, Equatable {
    public var index: Int
    /// The member's seed (individual, noise, monitor, presses).
    public var seed: UInt64
    public var verdict: Verdict
    public var error: String?
    /// Entries into `interlock-stopped`.
    public var interlockStops: Int
    /// Time with the true pain score ≥ 4 (NRS), ms, on the patient's grid.
    public var painTime: Milliseconds
    public var maxPlasma: Double
    public var maxEffectSite: Double
    /// Press decisions (the model's presses and the trace's) and grants.
    public var presses: Int
    public var grants: Int
    /// Delivered total at the end, µg.
    public var delivered: Int64

    public init(
      index: Int, seed: UInt64, verdict: Verdict, error: String? = nil, interlockStops: Int,
      painTime: Milliseconds, maxPlasma: Double, maxEffectSite: Double, presses: Int,
      grants: Int, delivered: Int64
    ) {
      self.index = index
      self.seed = seed
      self.verdict = verdict
      self.error = error
      self.interlockStops = interlockStops
      self.painTime = painTime
      self.maxPlasma = maxPlasma
      self.maxEffectSite = maxEffectSite
      self.presses = presses
      self.grants = grants
      self.delivered = delivered
    }
  }

  /// The pain score from which a patient counts as "in pain" (NRS 4, the demand threshold of
  /// the shipped files).
  public static let painThreshold = 4.0

  /// Member `index` of the cohort of `setup`'s patient, seed `seed`: its setup.
  public static func memberSetup(_ setup: TraceSetup, seed: UInt64, index: Int) -> TraceSetup {
    var s = setup
    guard var p = s.patient else { return s }
    let member = PatientProfile.memberSeed(seed, index)
    p.individual = p.profile.individual(seed: member)
    p.seed = member
    s.patient = p
    return s
  }

  /// Replays member `index` and sums it up (its observations are dropped afterwards).
  public static func member(_ trace: Trace, setup: TraceSetup, seed: UInt64, index: Int) -> Member {
    let s = memberSetup(setup, seed: seed, index: index)
    let r = OfflineReplay.run(trace, setup: s, keepLog: true)
    var m = Member(
      index: index, seed: s.patient?.seed ?? 0, verdict: r.verdict, error: r.error,
      interlockStops: 0, painTime: .zero, maxPlasma: 0, maxEffectSite: 0, presses: 0, grants: 0,
      delivered: 0)
    let step = s.patient?.monitorSettings.continuousPeriod ?? .seconds(1)
    // The delivered total is the last sample appended (`delivered.last`, a replacement included);
    // the other records are read in order without merging the whole log.
    m.delivered = r.log?.delivered.last?.total ?? 0
    for o in r.log?.others ?? [] {
      switch o.event {
      case .patient(let v):
        if v.pain >= painThreshold { m.painTime = m.painTime + step }
        m.maxPlasma = max(m.maxPlasma, v.plasma)
        m.maxEffectSite = max(m.maxEffectSite, v.effectSite)
      case .mode(.interlockStopped, _): m.interlockStops += 1
      case .bolusGranted:
        m.presses += 1
        m.grants += 1
      case .bolusDenied: m.presses += 1
      default: break
      }
    }
    return m
  }

  /// Replays the whole cohort on `threads` threads; members in index order.
  public static func run(
    _ trace: Trace, setup: TraceSetup, count: Int, seed: UInt64, threads: Int
  ) throws(Refusal) -> [Member] {
    guard count >= 1, count <= maxCount else { throw .count(count) }
    guard setup.patient != nil else { throw .noPatient(file: trace.file) }
    return Cohort.run(count: count, threads: threads) { i in
      member(trace, setup: setup, seed: seed, index: i)
    }
  }
}

/// The figures of a cohort: interlock stops, time in pain, peak concentrations, demand per
/// grant, verdicts.
public struct CohortSummary: Sendable, Equatable {
  public var patients: Int
  public var seed: UInt64
  /// Members with at least one interlock stop, and all stops.
  public var patientsStopped: Int
  public var interlockStops: Int
  /// Time in pain ≥ 4, ms: median and 90th percentile over the members.
  public var painTimeMedian: Milliseconds
  public var painTimeP90: Milliseconds
  /// Peak plasma and effect-site concentration, ng/mL: median, 95th percentile, maximum.
  public var maxPlasma: (median: Double, p95: Double, max: Double)
  public var maxEffectSite: (median: Double, p95: Double, max: Double)
  public var presses: Int
  public var grants: Int
  public var pass: Int
  public var fail: Int
  /// Members whose run ended in an error (the pump refused the prescription…).
  public var errors: Int

  public static func == (a: CohortSummary, b: CohortSummary) -> Bool {
    a.patients == b.patients && a.seed == b.seed && a.patientsStopped == b.patientsStopped
      && a.interlockStops == b.interlockStops && a.painTimeMedian == b.painTimeMedian
      && a.painTimeP90 == b.painTimeP90 && a.maxPlasma == b.maxPlasma
      && a.maxEffectSite == b.maxEffectSite && a.presses == b.presses && a.grants == b.grants
      && a.pass == b.pass && a.fail == b.fail && a.errors == b.errors
  }

  /// Demand per grant: presses ÷ grants (nil when nothing was granted).
  public var demandPerGrant: Double? { grants > 0 ? Double(presses) / Double(grants) : nil }

  public init(_ members: [CohortReplay.Member], seed: UInt64) {
    patients = members.count
    self.seed = seed
    patientsStopped = members.filter { $0.interlockStops > 0 }.count
    interlockStops = members.reduce(0) { $0 + $1.interlockStops }
    let pain = members.map(\.painTime.rawValue).sorted()
    painTimeMedian = Milliseconds(Self.quantile(pain, 0.5))
    painTimeP90 = Milliseconds(Self.quantile(pain, 0.9))
    let cp = members.map(\.maxPlasma).sorted()
    maxPlasma = (Self.quantile(cp, 0.5), Self.quantile(cp, 0.95), cp.last ?? 0)
    let ce = members.map(\.maxEffectSite).sorted()
    maxEffectSite = (Self.quantile(ce, 0.5), Self.quantile(ce, 0.95), ce.last ?? 0)
    presses = members.reduce(0) { $0 + $1.presses }
    grants = members.reduce(0) { $0 + $1.grants }
    pass = members.filter { $0.verdict == .pass }.count
    fail = members.count - pass
    errors = members.filter { $0.error != nil }.count
  }

  /// The nearest-rank quantile q (0…1] of ascending `xs` (0 when empty).
  static func quantile<T: Numeric>(_ xs: [T], _ q: Double) -> T {
    guard !xs.isEmpty else { return 0 }
    let rank = Int((q * Double(xs.count)).rounded(.up))
    return xs[min(max(rank, 1), xs.count) - 1]
  }

  /// The summary as a text table.
  public var table: String {
    func f(_ x: Double) -> String { ObservationLog.tenths(x) }
    func h(_ t: Milliseconds) -> String { TraceTime.format(t) }
    let ratio = demandPerGrant.map { f($0) } ?? "-"
    return """
      cohort: \(patients) patients, seed \(seed)
        interlock stops          \(patientsStopped) patients stopped, \(interlockStops) stops
        time in pain >= 4        median \(h(painTimeMedian)), p90 \(h(painTimeP90))
        max Cp (ng/mL)           median \(f(maxPlasma.median)), p95 \(f(maxPlasma.p95)), max \(f(maxPlasma.max))
        max Ce (ng/mL)           median \(f(maxEffectSite.median)), p95 \(f(maxEffectSite.p95)), max \(f(maxEffectSite.max))
        demand/delivery          \(presses) presses / \(grants) granted = \(ratio)
        verdicts                 \(pass) pass, \(fail) fail\(errors > 0 ? " (\(errors) errors)" : "")

      """
  }

  /// The summary as one JSON object (keys sorted; concentrations with one decimal, ms integers).
  public var json: String {
    func f(_ x: Double) -> String { ObservationLog.tenths(x) }
    func trio(_ t: (median: Double, p95: Double, max: Double)) -> String {
      "{\"max\":\(f(t.max)),\"median\":\(f(t.median)),\"p95\":\(f(t.p95))}"
    }
    let ratio = demandPerGrant.map { f($0) } ?? "null"
    return "{\"demand_per_grant\":\(ratio),\"errors\":\(errors),\"fail\":\(fail),"
      + "\"grants\":\(grants),\"interlock_stops\":\(interlockStops),"
      + "\"max_ce_ng_ml\":\(trio(maxEffectSite)),\"max_cp_ng_ml\":\(trio(maxPlasma)),"
      + "\"pain_time_ms\":{\"median\":\(painTimeMedian.rawValue),\"p90\":\(painTimeP90.rawValue)},"
      + "\"pass\":\(pass),\"patients\":\(patients),\"patients_stopped\":\(patientsStopped),"
      + "\"presses\":\(presses),\"seed\":\(seed)}"
  }
}
