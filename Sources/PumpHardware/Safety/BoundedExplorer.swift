import PumpCore

/// Exhaustive, bounded exploration (issue 12 §3): every sequence over an abstract alphabet of
/// event classes up to `depth`, depth first, skipping a state already reached with at least as
/// much depth left (state hashing over `AbstractState`). Each event class is a short concrete
/// macro (a critical vital is two samples a second apart, so it confirms). What this proves and
/// what it does not: docs/hazards.md, "Model check".
public struct BoundedExplorer: Sendable {
  /// The abstract alphabet.
  public enum Symbol: UInt8, CaseIterable, Sendable {
    case program, confirm, start, stop, pause, resume, press, clinicianBolus, acknowledge
    case reset, audioPause, hrCritical, vitalsCalm, hrLeadOff, occlusionOn, occlusionOff
    case powerCycle, monitorOff20min
  }

  /// The projection of the pump's state that identifies an abstract state: mode, active and
  /// acknowledged alarms, latch, prescription/pending, bolus, audio pause, confirmed vital levels,
  /// hardware occlusion, and the invariant checker's latch view. Time and dose history are left
  /// out on purpose (they would make every state new).
  public struct AbstractState: Hashable, Sendable {
    var mode: Mode
    var active: UInt64
    var acknowledged: UInt64
    var latched: Bool
    var hasPrescription: Bool
    var pending: Bool
    var paused: Bool
    var levels: UInt32
    var occluded: Bool
    var powered: Bool
    var checkerLatch: UInt8
  }

  public let profile: HardwareProfile
  public let formulary: Formulary
  public let prescription: Prescription
  public let depth: Int
  #if DEBUG
    public var brokenRule: DebugBrokenRule? = nil
  #endif

  public struct Result: Sendable {
    public var states = 0
    public var transitions: Int64 = 0
    public var revisitsSkipped: Int64 = 0
    public var violation: SafetyInvariants.Violation? = nil
    public var counterexample: [Symbol] = []
  }

  public init(
    profile: HardwareProfile, formulary: Formulary, prescription: Prescription, depth: Int
  ) {
    self.profile = profile
    self.formulary = formulary
    self.prescription = prescription
    self.depth = depth
  }

  public func explore() -> Result {
    var h = ExplorationHarness(profile: profile, formulary: formulary, prescription: prescription)
    #if DEBUG
      h.rig.controller.debugBrokenRule = brokenRule
    #endif
    _ = h.apply(.vitals(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14))
    var visited: [AbstractState: Int] = [:]
    var result = Result()
    var path: [Symbol] = []
    visited[key(h)] = depth
    dfs(h, depth, &visited, &result, &path)
    result.states = visited.count
    return result
  }

  func dfs(
    _ h: ExplorationHarness, _ left: Int, _ visited: inout [AbstractState: Int],
    _ result: inout Result, _ path: inout [Symbol]
  ) {
    guard left > 0, result.violation == nil else { return }
    for s in Symbol.allCases {
      var next = h
      path.append(s)
      result.transitions += 1
      for step in Self.macro(s) where next.apply(step) != nil { break }
      if let v = next.violation {
        result.violation = v
        result.counterexample = path
        return
      }
      let k = key(next)
      if let seen = visited[k], seen >= left - 1 {
        result.revisitsSkipped += 1
      } else {
        visited[k] = left - 1
        dfs(next, left - 1, &visited, &result, &path)
        if result.violation != nil { return }
      }
      path.removeLast()
    }
  }

  func key(_ h: ExplorationHarness) -> AbstractState {
    let c = h.rig.controller
    var active: UInt64 = 0
    var acked: UInt64 = 0
    for code in c.alarms.activeCodes {
      active |= 1 << UInt64(code.rawValue)
      if c.alarms[code].acknowledged { acked |= 1 << UInt64(code.rawValue) }
    }
    var levels: UInt32 = 0
    for v in Vital.allCases {
      levels |= UInt32(c.confirmedLevel(of: v).rawValue) << (3 * UInt32(v.rawValue))
    }
    let latch: UInt8 =
      switch h.invariants.latch {
      case .free: 0
      case .latched: 1
      case .resetAwaitingStart: 2
      }
    return AbstractState(
      mode: c.mode, active: active, acknowledged: acked, latched: c.interlockLatched,
      hasPrescription: c.prescription != nil, pending: c.pending != nil,
      paused: c.alarms.audioPausedUntil != nil, levels: levels,
      occluded: h.rig.hardware.downstreamOccluded, powered: h.powered, checkerLatch: latch)
  }

  /// The concrete steps of one abstract event (time moves forward in each). A counterexample
  /// runs as calm vitals, then the macros of its symbols.
  public static func macro(_ s: Symbol) -> [ExplorationStep] {
    let calm = ExplorationStep.vitals(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)
    let sec = ExplorationStep.wait(.seconds(1))
    switch s {
    case .program: return [sec, .command(.program), .command(.confirm)]
    case .confirm: return [sec, .command(.confirm)]
    case .start: return [sec, .command(.start)]
    case .stop: return [sec, .command(.stop)]
    case .pause: return [sec, .command(.pause)]
    case .resume: return [sec, .command(.resume)]
    case .press: return [sec, .press]
    case .clinicianBolus: return [sec, .command(.bolus(.milligrams(1)))]
    case .acknowledge: return [sec, .command(.acknowledge)]
    case .reset: return [sec, .command(.reset)]
    case .audioPause: return [sec, .command(.audioPause)]
    case .hrCritical:
      let crit = ExplorationStep.vitals(sbp: 125, dbp: 75, hr: 150, spo2: 97, rr: 14)
      return [sec, crit, sec, crit]
    case .vitalsCalm: return [sec, calm, sec, calm]
    case .hrLeadOff:
      let off = ExplorationStep.vitals(sbp: 125, dbp: 75, hr: nil, spo2: 97, rr: 14)
      return [sec, off, sec, off, sec, off, sec, off, sec, off, sec, off]
    case .occlusionOn: return [sec, .inject(.pressure(downstream: true, .psi(12)))]
    case .occlusionOff: return [sec, .inject(.pressure(downstream: true, .zero))]
    case .powerCycle: return [sec, .powerLost, sec, .powerRestored(selfTestPassed: true)]
    case .monitorOff20min: return [.clockAdvance(.minutes(20))]
    }
  }
}
