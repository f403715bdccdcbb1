import PumpCore

/// A claim about what the pump did, checked by `TraceChecker` against the observation stream
/// once the run is over. Times are absolute (ms since the trace's start); "within W" windows
/// start at the expectation line's time `t` and include both ends.
public enum Expectation: Hashable, Sendable {
  /// The alarm is active at some instant in [t, t + within]; when a priority is given, the
  /// alarm's raise must carry it.
  case alarm(AlarmCode, priority: AlarmPriority?, within: Milliseconds)
  /// The alarm (nil: any alarm) is active at no instant in [t, until].
  case noAlarm(AlarmCode?, until: Milliseconds)
  /// The alarm is inactive at some instant in [t, t + within].
  case alarmCleared(AlarmCode, within: Milliseconds)
  /// The mode after everything at or before `at` matches.
  case mode(ModePattern, at: Milliseconds)
  /// The first patient-bolus decision in [t, t + within] is a grant (or a denial, for the
  /// given reason when one is named).
  case bolus(granted: Bool, denial: BolusDenial?, within: Milliseconds)
  /// Drug delivered, compared with `limit` (µg) over `scope`.
  case delivered(Comparison, Micrograms, scope: DoseScope)
  /// The commanded motor rate is zero at some instant in [t, t + within].
  case motorStopped(within: Milliseconds)
  /// The commanded motor rate is above zero at some instant in [t, t + within].
  case motorRunning(within: Milliseconds)
  /// The last command given at exactly t on an earlier line was accepted, or rejected (for
  /// the given reason when one is named).
  case command(accepted: Bool, rejection: Rejection?)
  /// An audio pause is broken (by this alarm, when named) within [t, t + within].
  case audioPauseBroken(by: AlarmCode?, within: Milliseconds)
  /// The mode matches at some instant in [t, t + within] (`expect mode M within T`).
  case modeWithin(ModePattern, within: Milliseconds)
  /// The command on the labelled action line `line` was accepted, or rejected (for the given
  /// reason when one is named): `expect accepted for rx2`.
  case commandOf(line: Int, accepted: Bool, rejection: Rejection?)
  /// The decision on the labelled press at `pressTime` (the `ordinal`-th press at that instant,
  /// from 0) is a grant, or a denial (for the reason named): `expect bolus granted for p1`.
  case bolusOf(pressTime: Milliseconds, ordinal: Int, granted: Bool, denial: BolusDenial?)
  /// A windowed expectation whose window starts at a labelled earlier line's time `at`
  /// instead of its own line's (`expect alarm X within 2s of p1`; `line` is the label's line).
  indirect case anchored(Expectation, at: Milliseconds, line: Int)
  /// The command on the trace line `line` was refused by the protocol session for its role
  /// (`expect rejected(role-forbidden) [for L]`, after `… as <role>`).
  case forbiddenOf(line: Int)
  /// The pump logged an entry of this kind in [t, t + within] (`expect logged bolus-started
  /// within 1s`).
  case logged(LoggedKind, within: Milliseconds)
  /// A windowed expectation whose window starts at the first observation matching `anchor`
  /// at or after the line's time (`expect motor stopped within 1s of alarm door-open`); no
  /// such observation by the end of the run fails it. `ticks`: the window is that many of the
  /// profile's control periods (`within 1 tick of …`), replacing the inner window.
  indirect case observed(Expectation, anchor: ObservationAnchor, ticks: Int?)
  /// A state at an instant, at some instant of a window, at every instant of a span, or at
  /// none (`expect mode infusing throughout [1min, 5min]`, `expect alarm X never until 1h`,
  /// `expect value reservoir ≥ 10 mL at 2h`).
  case state(StateClaim, ClaimSpan)

  /// True for the kinds with a `within` window, the ones `of <label>` can anchor.
  public var isWindowed: Bool {
    switch self {
    case .alarm, .alarmCleared, .bolus, .motorStopped, .motorRunning, .audioPauseBroken,
      .modeWithin, .logged:
      true
    case .state(_, .within): true
    default: false
    }
  }

  /// The same expectation with its `within` window set to `w` (windowed kinds only).
  public func withWindow(_ w: Milliseconds) -> Expectation {
    switch self {
    case .alarm(let a, let p, _): .alarm(a, priority: p, within: w)
    case .alarmCleared(let a, _): .alarmCleared(a, within: w)
    case .bolus(let g, let d, _): .bolus(granted: g, denial: d, within: w)
    case .motorStopped: .motorStopped(within: w)
    case .motorRunning: .motorRunning(within: w)
    case .audioPauseBroken(let a, _): .audioPauseBroken(by: a, within: w)
    case .modeWithin(let m, _): .modeWithin(m, within: w)
    case .state(let c, .within): .state(c, .within(w))
    case .logged(let k, _): .logged(k, within: w)
    default: self
    }
  }

  /// The state claim this expectation makes, looking through anchors (nil: none).
  public var claim: StateClaim? {
    switch self {
    case .state(let c, _): c
    case .anchored(let x, _, _), .observed(let x, _, _): x.claim
    default: nil
    }
  }

  /// True when the expectation's verdict depends on exact event times (a window starting at
  /// an observation, a claim over every instant of a span): online replay then reads event
  /// times from the pump's log (docs/TRACES.md, "Exact event times online").
  public var needsExactTimes: Bool {
    switch self {
    case .observed, .state: true
    case .anchored(let x, _, _): x.needsExactTimes
    default: false
    }
  }

  /// The latest instant the check looks at, given the line's time (the run lasts at least
  /// this long).
  public func horizon(from t: Milliseconds) -> Milliseconds {
    switch self {
    case .alarm(_, _, let w), .alarmCleared(_, let w), .bolus(_, _, let w), .motorStopped(let w),
      .motorRunning(let w), .audioPauseBroken(_, let w), .modeWithin(_, let w),
      .logged(_, let w):
      t + w
    case .noAlarm(_, let until): max(until, t)
    case .mode(_, let at): max(at, t)
    case .delivered, .command, .commandOf, .forbiddenOf: t
    case .bolusOf(let at, _, _, _): max(at, t)
    case .anchored(let x, let at, _): max(x.horizon(from: at), t)
    case .observed(let x, _, _): x.horizon(from: t)
    case .state(_, let span):
      switch span {
      case .at(let at): max(at, t)
      case .within(let w): t + w
      case .throughout(_, let to), .never(_, let to): max(to ?? t, t)
      }
    }
  }
}

/// How a delivered amount is compared with the expected one.
public enum Comparison: Hashable, Sendable {
  case atMost
  case below
  case atLeast
  case above
  /// Within this many µg of the amount, both ends included (`≈ 5 mg ± 2 µg`, in ASCII
  /// `~ 5 mg +- 2 ug`).
  case approximately(tolerance: Micrograms)

  /// The symbol messages use (`≤`, `≈`).
  public var symbol: String {
    switch self {
    case .atMost: "≤"
    case .below: "<"
    case .atLeast: "≥"
    case .above: ">"
    case .approximately: "≈"
    }
  }

  /// `≤ 15 mg` or `≈ 5 mg ± 2 µg`, with `amount` formatted by the caller.
  public func describe(_ amount: String, tolerance formatTolerance: (Micrograms) -> String)
    -> String
  {
    if case .approximately(let tol) = self { return "≈ \(amount) ± \(formatTolerance(tol))" }
    return "\(symbol) \(amount)"
  }

  public func holds(_ actual: Int64, _ limit: Int64) -> Bool {
    switch self {
    case .atMost: actual <= limit
    case .below: actual < limit
    case .atLeast: actual >= limit
    case .above: actual > limit
    case .approximately(let tol): abs(actual - limit) <= tol.rawValue
    }
  }
}

/// Which amount of delivered drug an expectation speaks of, up to the line's time t.
public enum DoseScope: Hashable, Sendable {
  /// The largest amount delivered in any window of this length ending at or before t (the
  /// rolling-limit view: `in window 1h`).
  case window(Milliseconds)
  /// The amount delivered in (t − length, t] (`in last 1h`).
  case last(Milliseconds)
  /// Everything delivered up to t (`total`).
  case total
}

/// A mode, or a family of modes, as a trace names it (`infusing` matches every phase,
/// `infusing(basal)` only one).
public enum ModePattern: Hashable, Sendable {
  case selfTest
  case idle
  case programmed
  case infusing(InfusionPhase?)
  case paused(PauseReason?)
  case kvo
  case complete
  case interlockStopped
  case fault(FaultCode?)

  public func matches(_ m: Mode) -> Bool {
    switch (self, m) {
    case (.selfTest, .selfTest), (.idle, .idle), (.programmed, .programmed), (.kvo, .kvo),
      (.complete, .complete), (.interlockStopped, .interlockStopped):
      true
    case (.infusing(let p), .infusing(let q)): p == nil || p == q
    case (.paused(let p), .paused(let q)): p == nil || p == q
    case (.fault(let p), .fault(let q)): p == nil || p == q
    default: false
    }
  }
}
