import PumpCore

/// A parsed trace: the header, and the timeline of actions and expectations in time order
/// (file order at equal times). Format: docs/TRACES.md.
public struct Trace: Hashable, Sendable {
  public var file: String
  public var header: TraceHeader
  public var steps: [TraceStep]

  public init(file: String, header: TraceHeader, steps: [TraceStep]) {
    self.file = file
    self.header = header
    self.steps = steps
  }

  /// The instant the run ends: the header's `end:`, the last line's time, or the furthest
  /// instant an expectation looks at, whichever is latest.
  public var end: Milliseconds {
    var e = header.end ?? .zero
    for s in steps {
      switch s.kind {
      case .action(let a):
        e = max(e, s.time)
        if case .vitalsSeries(let v) = a { e = max(e, v.end) }
        if case .clockAdvance(let d) = a { e = max(e, s.time + d) }
      case .expectation(let x, _): e = max(e, x.horizon(from: s.time))
      }
    }
    return e
  }

  /// The instants at which every driver samples the pump, ascending: every expectation's time,
  /// the millisecond before it (a window includes its start), its horizon, the start of a
  /// `last W` amount, a mode's `at`, and the end. Online, the pump's clock stops exactly there
  /// (`CLOCK ADVANCE`), so each window sees the same events on the same side of its edges as
  /// offline; both drivers sample the delivered total there, so amounts read the same.
  public var instants: [Milliseconds] {
    var out: Set<Milliseconds> = []
    for x in expectations {
      let t = x.time
      out.insert(t)
      if t > .zero { out.insert(t - Milliseconds(1)) }
      out.insert(x.expectation.horizon(from: t))
      if case .delivered(_, _, .last(let w)) = x.expectation, t - w > .zero { out.insert(t - w) }
      if case .mode(_, let at) = x.expectation { out.insert(at) }
      if case .state(_, let span) = x.expectation {
        switch span {
        case .at(let at): out.insert(at)
        case .within: break
        case .throughout(let from, let to), .never(let from, let to):
          out.insert(from)
          if from > .zero { out.insert(from - Milliseconds(1)) }
          if let to { out.insert(to) }
        }
      }
    }
    out.insert(end)
    return out.sorted()
  }

  /// True when an expectation reads sampled pump values (`expect value …`, `expect alarm X
  /// annunciated`): only then do the drivers sample them (a cost a trace without them never pays).
  public var samplesValues: Bool {
    expectations.contains { x in
      switch x.expectation.claim {
      case .alarmAnnunciated: true
      case .value(let n, _, _): !n.isPatient
      default: false
      }
    }
  }

  /// True when an expectation reads the pump's event log (`expect logged …`).
  public var readsLog: Bool {
    expectations.contains { x in
      var e = x.expectation
      while true {
        switch e {
        case .logged: return true
        case .anchored(let i, _, _), .observed(let i, _, _): e = i
        default: return false
        }
      }
    }
  }

  /// True when an expectation needs exact event times (`Expectation.needsExactTimes`).
  public var needsExactTimes: Bool { expectations.contains { $0.expectation.needsExactTimes } }

  /// The value names the expectations read, for drivers that cannot read every value
  /// (online: `basal-rate` is not on the wire).
  public var valueNames: Set<ValueName> {
    var out: Set<ValueName> = []
    for x in expectations { if case .value(let n, _, _) = x.expectation.claim { out.insert(n) } }
    return out
  }

  /// The expectations with their lines and times.
  public var expectations: [(time: Milliseconds, line: Int, expectation: Expectation, text: String)]
  {
    steps.compactMap { s in
      if case .expectation(let x, let text) = s.kind { return (s.time, s.line, x, text) }
      return nil
    }
  }
}

/// One timed line.
public struct TraceStep: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    case action(TraceAction)
    /// An expectation and its source text (for reports).
    indirect case expectation(Expectation, text: String)
  }

  /// Absolute time, ms since the trace's start.
  public var time: Milliseconds
  /// 1-based line in the trace file.
  public var line: Int
  public var kind: Kind

  public init(time: Milliseconds, line: Int, kind: Kind) {
    self.time = time
    self.line = line
    self.kind = kind
  }
}

/// What a trace expects of itself: most traces pass; expected-to-fail variants prove that the
/// checker catches a wrong expectation.
public enum Verdict: String, Hashable, Sendable, Codable {
  case pass
  case fail
}

/// The state the pump is brought to at time 0, before the first line.
public enum StartState: String, Hashable, Sendable {
  /// Powered on, self-test not yet reported.
  case selfTest = "self-test"
  /// Self-test passed, no prescription.
  case idle
  /// The header's prescription programmed (soft limits confirmed), not started.
  case programmed
  /// Programmed and started (the default).
  case infusing
}
