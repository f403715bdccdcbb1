import PumpCore

/// The explorer's seeded generator: PumpCore's `SplitMix64`.
typealias ExplorerRandom = SplitMix64

/// Random exploration (issue 12 §3): long seeded sequences mixing every input kind — every
/// clinician command, presses, vitals with missing leads, spikes and implausible values, every
/// hardware fault and sensor value (out-of-range included), power cycles and clock jumps —
/// checked against `SafetyInvariants` after every controller call. A violation is shrunk to a
/// minimal sequence and printed as a trace (`ExplorationTrace`).
public struct RandomExplorer: Sendable {
  public let profile: HardwareProfile
  public let formulary: Formulary
  /// Prescriptions are drawn around this one (the header of a printed counterexample).
  public let basePrescription: Prescription
  #if DEBUG
    /// Deliberately broken rule for the explorer-finds-it tests.
    public var brokenRule: DebugBrokenRule? = nil
  #endif

  public init(profile: HardwareProfile, formulary: Formulary, basePrescription: Prescription) {
    self.profile = profile
    self.formulary = formulary
    self.basePrescription = basePrescription
  }

  public struct Failure: Sendable {
    public var seed: UInt64
    public var violation: SafetyInvariants.Violation
    public var prescription: Prescription
    public var steps: [ExplorationStep]
  }

  public struct Summary: Sendable {
    public var sequences: Int64 = 0
    public var steps: Int64 = 0
    public var controlSteps: Int64 = 0
    public var checks: Int64 = 0
    public var failures: [Failure] = []
  }

  /// Runs sequences from `firstSeed` until `steps` inputs have been explored (or `maxFailures`
  /// failures, each shrunk).
  public func explore(steps: Int64, firstSeed: UInt64, maxLength: Int = 400, maxFailures: Int = 1)
    -> Summary
  {
    var s = Summary()
    var seed = firstSeed
    while s.steps < steps && s.failures.count < maxFailures {
      let (rx, seq) = draw(seed: seed, maxLength: maxLength)
      let h = run(rx, seq)
      s.sequences += 1
      s.steps += h.inputs
      s.controlSteps += h.rig.steps
      s.checks += h.invariants.checks
      if let v = h.violation {
        let small = shrink(rx, seq)
        let v2 = run(rx, small).violation ?? v
        s.failures.append(Failure(seed: seed, violation: v2, prescription: rx, steps: small))
      }
      seed &+= 1
    }
    return s
  }

  /// Replays `seq` on a fresh pump; stops at the first violation.
  public func run(_ rx: Prescription, _ seq: [ExplorationStep]) -> ExplorationHarness {
    var h = ExplorationHarness(profile: profile, formulary: formulary, prescription: rx)
    #if DEBUG
      h.rig.controller.debugBrokenRule = brokenRule
    #endif
    for step in seq where h.apply(step) != nil { break }
    return h
  }

  /// Greedy shrinking: drop halves, then chunks, then single steps while it still fails.
  public func shrink(_ rx: Prescription, _ seq: [ExplorationStep]) -> [ExplorationStep] {
    var current = seq
    // Cut everything after the violation first.
    var probe = ExplorationHarness(profile: profile, formulary: formulary, prescription: rx)
    #if DEBUG
      probe.rig.controller.debugBrokenRule = brokenRule
    #endif
    for (i, step) in current.enumerated() where probe.apply(step) != nil {
      current = Array(current[...i])
      break
    }
    var chunk = max(current.count / 2, 1)
    while chunk >= 1 {
      var i = 0
      while i < current.count {
        var candidate = current
        candidate.removeSubrange(i..<min(i + chunk, candidate.count))
        if run(rx, candidate).violation != nil { current = candidate } else { i += chunk }
      }
      if chunk == 1 { break }
      chunk /= 2
    }
    return current
  }

  // MARK: Generation

  /// The prescription and the input sequence `explore` runs for `seed` (also for tests that
  /// drive two pumps through the same inputs).
  public func draw(seed: UInt64, maxLength: Int = 400) -> (Prescription, [ExplorationStep]) {
    var r = ExplorerRandom(seed: seed)
    let rx = prescription(&r)
    return (rx, sequence(&r, maxLength: maxLength))
  }

  func prescription(_ r: inout ExplorerRandom) -> Prescription {
    Prescription.random(around: basePrescription, using: &r)
  }

  func vitals(_ r: inout ExplorerRandom) -> ExplorationStep {
    if Int.random(in: 0..<10, using: &r) < 7 {
      return .vitals(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)
    }
    func pick(_ values: [Int32?]) -> Int32? { values.randomElement(using: &r)! }
    // Bands, missing leads (nil), spikes and implausible values (0, 400, 255).
    return .vitals(
      sbp: pick([125, 165, 185, 85, 75, nil, 0, 400]), dbp: pick([75, 104, 115, nil, 255]),
      hr: pick([80, 125, 150, 45, 35, nil, nil, 0, 400]), spo2: pick([97, 91, 85, nil, 255]),
      rr: pick([14, 9, 6, nil]))
  }

  func sequence(_ r: inout ExplorerRandom, maxLength: Int) -> [ExplorationStep] {
    var out: [ExplorationStep] = [.vitals(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)]
    if Int.random(in: 0..<4, using: &r) != 0 {
      out += [.command(.program), .command(.confirm), .command(.start)]
    }
    let n = Int.random(in: maxLength / 4...maxLength, using: &r)
    while out.count < n {
      let s = step(&r)
      out.append(s)
      // A stalled or runaway mechanism makes the rig step every control tick (the controller
      // must watch it); such episodes last up to 2 min here so that a million inputs stay fast.
      switch s {
      case .inject(.motorStall(true)), .inject(.motorRunaway(true)):
        out.append(.wait(Milliseconds(Int64.random(in: 1...120_000, using: &r))))
        out.append(
          .inject(s == .inject(.motorStall(true)) ? .motorStall(false) : .motorRunaway(false)))
      default: break
      }
    }
    return out
  }

  func step(_ r: inout ExplorerRandom) -> ExplorationStep {
    func ms(_ range: ClosedRange<Int64>) -> Milliseconds {
      Milliseconds(Int64.random(in: range, using: &r))
    }
    switch Int.random(in: 0..<1000, using: &r) {
    case 0..<250: return .wait(ms(1...2000))
    case 250..<270: return .wait(ms(1...3_600_000))
    case 270..<290: return .wait(ms(1...600_000))
    case 290..<480: return vitals(&r)
    case 480..<560: return .press
    case 560..<580: return .command(.program)
    case 580..<600: return .command(.confirm)
    case 600..<630: return .command(.start)
    case 630..<645: return .command(.pause)
    case 645..<670: return .command(.resume)
    case 670..<680: return .command(.stop)
    case 680..<695: return .command(.bolus(Micrograms(Int64.random(in: 0...8, using: &r) * 500)))
    case 695..<715: return .command(.acknowledge)
    case 715..<725: return .command(.audioPause)
    case 725..<750: return .command(.reset)
    case 750..<760:
      return .command(.rate(MicrogramsPerHour(Int64.random(in: 0...20, using: &r) * 1000)))
    case 760..<775:
      return .inject(.occlusion(downstream: Bool.random(using: &r), on: Bool.random(using: &r)))
    case 775..<785:
      // In range, above the alarm, and implausible (5000 psi).
      let p = [0, 5, 12, 30, 5000].randomElement(using: &r)!
      return .inject(.pressure(downstream: Bool.random(using: &r), .psi(Int64(p))))
    case 785..<795: return .inject(.air(Microliters(Int64.random(in: 0...100, using: &r))))
    case 795..<805: return .inject(.door(open: Bool.random(using: &r)))
    case 805..<815: return .inject(.mains(on: Bool.random(using: &r)))
    case 815..<822: return .inject(.battery(ms(0...7_200_000)))
    case 822..<832: return .inject(.motorStall(true))
    case 832..<838: return .inject(.motorRunaway(true))
    case 838..<842: return .inject(.sensorFailure(Bool.random(using: &r)))
    case 842..<852: return .inject(.reservoir(Microliters(Int64.random(in: 0...60_000, using: &r))))
    case 852..<857:
      let f: [FaultCode] = [.watchdog, .software, .journal, .motor, .sensor, .selfTest]
      return .inject(.fault(f.randomElement(using: &r)!))
    case 857..<872: return .powerLost
    case 872..<900: return .powerRestored(selfTestPassed: Int.random(in: 0..<8, using: &r) != 0)
    case 900..<915: return .link(up: Bool.random(using: &r))
    case 915..<930: return .clockAdvance(ms(1...7_200_000))
    default: return .wait(ms(1...20_000))
    }
  }
}
