import PumpCore

/// Which of the patient model's monitor readings a trace replaces, and when: the trace's own
/// vitals lines override the vitals they name at their instants. A single `vitals` line
/// replaces the vitals it gives at its instant; a series (`vitals every …`, `vitals csv …`)
/// replaces the vitals it names over its whole span [start, end) — `HR=-` included, which
/// names HR without a value: the model's HR is then not reported at all (a lead-off). The
/// model's sample at a grid instant goes to the pump without the replaced vitals (nothing at
/// all when none is left); the trace's samples go in as written.
public struct PatientOverrides: Hashable, Sendable {
  /// [from, until) and the `Vital.bit` mask replaced there, sorted by `from`.
  public private(set) var spans: [Span]

  public struct Span: Hashable, Sendable {
    public var from: Milliseconds
    public var until: Milliseconds
    public var vitals: UInt8
  }

  /// None: the model's monitor reports everything.
  public init() { spans = [] }

  /// The spans of `trace`'s vitals lines.
  public init(_ trace: Trace) {
    var out: [Span] = []
    for s in trace.steps {
      guard case .action(let a) = s.kind else { continue }
      switch a {
      case .vitals(let v) where v.presentMask != 0:
        out.append(Span(from: s.time, until: s.time + Milliseconds(1), vitals: v.presentMask))
      case .vitalsSeries(let v) where v.vitals != 0 && v.end > v.start:
        out.append(Span(from: v.start, until: v.end, vitals: v.vitals))
      default: continue
      }
    }
    spans = out.sorted { $0.from < $1.from }
  }

  /// Reads the spans at non-decreasing instants, in O(spans) over a whole run.
  public struct Cursor: Sendable {
    let spans: [Span]
    var next = 0
    var active: [Span] = []

    public init(_ overrides: PatientOverrides) { spans = overrides.spans }

    /// The vitals replaced at `t` (instants must not go back).
    public mutating func mask(at t: Milliseconds) -> UInt8 {
      while next < spans.count, spans[next].from <= t {
        active.append(spans[next])
        next += 1
      }
      if active.isEmpty { return 0 }
      active.removeAll { $0.until <= t }
      var m: UInt8 = 0
      for s in active { m |= s.vitals }
      return m
    }
  }
}
