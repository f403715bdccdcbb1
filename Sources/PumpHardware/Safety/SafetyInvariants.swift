import PumpCore

/// The controller's safety requirements as executable predicates over its observable history
/// (issue 12): one function per invariant, each citing the hazards of docs/hazards.md it guards.
/// The same checker runs in the property suite, in both explorers, and (per step) in offline
/// trace replay.
///
/// Use: call `observe(_:)` after every controller call (the `PumpRig` observer: every control
/// step and every handled event), and `afterEvent(_:rejection:_:)` once more after each
/// `handle`/`PumpRig.send` with the event and its result. Each returns the first violation.
/// `hardwareFollowsCommand: false` (a runaway motor, or a failed sensor that holds back the step
/// count a runaway may have moved) suspends the dose-window check for four hours: uncontrolled
/// flow is the over-infusion alarm's job (HZ-01), not the controller's limits.
///
/// Both take the controller `inout`, as `PumpRig.Observer` hands it, and only read it: a
/// controller passed by value from an `inout` one is copied whole (over 1 kB) at every call.
/// Every rule below reads it the same way.
public struct SafetyInvariants: Sendable {
  /// Which rule was broken.
  public enum Rule: String, Sendable, CaseIterable {
    case noDeliveryWhileStopped = "no-delivery-while-stopped"
    case interlockRestart = "interlock-restart"
    case staleCountsCritical = "stale-counts-critical"
    case doseWindow = "dose-window"
    case pressAnswered = "press-answered"
    case annunciation = "annunciation"
    case prescriptionHonoured = "prescription-honoured"
    case noAutomaticRestart = "no-automatic-restart"
    case rateIncreaseInterval = "rate-increase-interval"
  }

  public struct Violation: Error, Sendable, CustomStringConvertible {
    public var rule: Rule
    public var time: Milliseconds
    public var detail: String
    public var description: String { "\(rule.rawValue) at \(time.rawValue) ms: \(detail)" }
  }

  /// Where the interlock latch stands, as seen from the effects.
  enum Latch: Sendable { case free, latched, resetAwaitingStart }

  var latch = Latch.free
  /// Consecutive critical samples per vital (sign: direction), from the vitals events.
  /// (Inline storage: `init` allocates nothing, and offline replay makes one per controller call.)
  var criticalRun = InlineArray<5, Int32>(repeating: 0)
  /// The longest of those runs (|criticalRun| at its largest), kept by `track`, so the per-step
  /// check compares one number instead of walking the five.
  var longestCriticalRun: Int32 = 0
  /// One point of the delivered-total history.
  struct Delivered: Sendable {
    var time: Int64
    /// Cumulative mass delivered by `time`, pg.
    var mass: Int64
  }
  /// Delivered total (pg) history, appended when it changes (one array of pairs: one append
  /// and one uniqueness check per sample).
  var history: [Delivered] = []
  /// `history.last`, kept beside it (set wherever the last sample changes: `doseWindowGrew`;
  /// a prune keeps the last sample): the check at every call reads it without going through
  /// the array's buffer.
  var lastDelivered: Delivered? = nil
  var uncontrolledUntil: Int64 = Int64.min
  /// The last call saw hardware that did not follow the command. The four hours run from the
  /// first call that sees it follow again: steps a failed sensor held back (through a power
  /// outage, say) reach the ledger only then.
  var wasUncontrolled = false
  /// History length at which `pruneHistory` looks next (amortised O(1) per sample).
  var pruneAt = 8192
  /// Where the 60-min and 240-min window starts were last found in `history`: both only move
  /// forward as time does, so each check walks a sample or two instead of a binary search.
  var windowStart1h = 0
  var windowStart4h = 0
  /// The dose window's slack (exact): the cumulative totals at the 60- and 240-min window
  /// starts found by the last full check. The cumulative total never decreases with time, so
  /// later, in-window(t) = m − C(t − w) ≤ m − C(t₀ − w): while m − base ≤ limit for both
  /// windows no check can find a violation and the full computation is skipped
  /// (docs/PERFORMANCE.md, "the rig, second pass"). Valid only while `ordered`; a prune or an
  /// uncontrolled call makes the next check a full one.
  var windowBase1h: Int64 = 0
  var windowBase4h: Int64 = 0
  var windowBaseValid = false
  /// Every sample so far came at a later time with a larger total (what makes the cumulative
  /// total non-decreasing). A sample out of order ends the slack for good.
  var ordered = true
  /// The time of the last check the slack answered (the window starts' positions are brought
  /// there if the order breaks, where a full check would have left them).
  var slackCheckedAt: Int64? = nil
  /// Checks the slack answered (tests: both paths are taken).
  public private(set) var slackChecks: Int64 = 0
  public private(set) var checks: Int64 = 0
  #if DEBUG
    /// Calls `noDeliveryWhileStopped` answered by its one-mask test (tests: the fast path is
    /// taken).
    public private(set) var debugQuietDeliveryChecks: Int64 = 0
    /// Samples after which no vital had a critical run (`track`'s shortcut), and the others
    /// (tests: both paths are taken).
    public private(set) var debugNoRunTracks: Int64 = 0
    public private(set) var debugRunTracks: Int64 = 0
  #endif
  /// The basal last in force in a therapy (kept across stops) and when the in-force basal last
  /// rose above the one before it, seen from the controller's state after each accepted event.
  var basalInForce: MicrogramsPerHour? = nil
  var lastIncrease: Milliseconds? = nil

  public init() {}

  // MARK: Entry points

  /// Checks the state and the effects of one controller call. The rules run in this order and
  /// the first violation ends the check (the rules after it do not update their state).
  public mutating func observe(_ c: inout PumpController, hardwareFollowsCommand: Bool = true)
    -> Violation?
  {
    rules(&c, hardwareFollowsCommand: hardwareFollowsCommand)
  }

  /// `observe`'s body, inlined into `observe` and `observeEvent` (no call on the event's look).
  @inline(__always)
  mutating func rules(_ c: inout PumpController, hardwareFollowsCommand: Bool) -> Violation? {
    checks += 1
    if !hardwareFollowsCommand || wasUncontrolled {
      uncontrolledUntil = c.now.rawValue + 4 * 3_600_000
      windowBaseValid = false
      wasUncontrolled = !hardwareFollowsCommand
    }
    if let v = noDeliveryWhileStopped(&c) { return v }
    if let v = interlockRestart(&c) { return v }
    if let v = staleCountsCritical(&c) { return v }
    if let v = doseWindow(&c) { return v }
    if let v = annunciation(&c) { return v }
    if let v = noAutomaticRestart(&c) { return v }
    return rateIncreaseInterval(&c)
  }

  /// Checks what an accepted or rejected event must have done (rules in this order, the first
  /// violation ends the check).
  public mutating func afterEvent(_ e: PumpEvent, rejection: Rejection?, _ c: inout PumpController)
    -> Violation?
  {
    if case .vitals(let s) = e { track(s, &c) }
    if let v = pressAnswered(e, &c) { return v }
    if let v = prescriptionHonoured(e, rejection, &c) { return v }
    if let v = staleCountsCritical(&c) { return v }
    return rateIncreaseInterval(&c)
  }

  /// The event's own call: `observe`, then (if it found nothing) `afterEvent`, from one look at
  /// the controller, with the same verdict as the two calls. Two of `afterEvent`'s rules have
  /// just run in `observe` on this same state and found nothing, so they are not run again:
  /// `rateIncreaseInterval` (it left `basalInForce` at the rate in force: again it would find
  /// no increase and change nothing) and, unless a vitals sample moved the critical runs
  /// (`track`), `staleCountsCritical`. A vitals event is neither a press nor a command, so
  /// after `track` only `staleCountsCritical` can speak.
  public mutating func observeEvent(
    _ e: PumpEvent, rejection: Rejection?, _ c: inout PumpController,
    hardwareFollowsCommand: Bool = true
  ) -> Violation? {
    if let v = rules(&c, hardwareFollowsCommand: hardwareFollowsCommand) { return v }
    if case .vitals(let s) = e {
      track(s, &c)
      return staleCountsCritical(&c)
    }
    if let v = pressAnswered(e, &c) { return v }
    return prescriptionHonoured(e, rejection, &c)
  }

  func violation(_ r: Rule, _ t: Milliseconds, _ d: String) -> Violation {
    Violation(rule: r, time: t, detail: d)
  }

  // MARK: The invariants

  /// HZ-01, HZ-05, HZ-12, HZ-19: no motor command while any stop- or fault-class alarm is
  /// active, or the pump is paused, stopped, complete, faulted or interlock-stopped/latched.
  @inline(__always)
  mutating func noDeliveryWhileStopped(_ c: inout PumpController) -> Violation? {
    guard c.commandedRate.rawValue > 0 else { return nil }
    // Delivering as allowed (most calls): a mode that delivers, no alarm active at all (so
    // none of the stop or fault class) and no latch. One mask test for the two alarm walks;
    // anything else takes the full rule below, unchanged.
    if c.mode.mayDeliver && !c.alarms.anyAlarmActive && !c.interlockLatched {
      #if DEBUG
        debugQuietDeliveryChecks += 1
      #endif
      return nil
    }
    return deliveryWhileStopped(&c)
  }

  /// `noDeliveryWhileStopped` in full.
  func deliveryWhileStopped(_ c: inout PumpController) -> Violation? {
    guard c.commandedRate.rawValue > 0 else { return nil }
    if !c.mode.mayDeliver {
      return violation(.noDeliveryWhileStopped, c.now, "motor on in \(c.mode)")
    }
    if c.alarms.anyActive(action: .stop) || c.alarms.anyActive(action: .fault) {
      return violation(.noDeliveryWhileStopped, c.now, "motor on with \(c.alarms.activeCodes)")
    }
    if c.interlockLatched {
      return violation(.noDeliveryWhileStopped, c.now, "motor on with the interlock latched")
    }
    return nil
  }

  /// HZ-13, HZ-14: after an interlock stop, infusion resumes only after (condition gone) AND
  /// (clinician reset) AND (a clinician start/resume), whatever comes in between.
  @inline(__always)
  mutating func interlockRestart(_ c: inout PumpController) -> Violation? {
    // (Most calls have no effects: the loop is skipped, the latch check below still runs.)
    if !c.effects.isEmpty { if let v = interlockTransitions(&c) { return v } }
    if latch == .latched && c.mode.mayDeliver {
      return violation(.interlockRestart, c.now, "delivering in \(c.mode) while latched")
    }
    return nil
  }

  /// `interlockRestart`'s walk over the call's effects: the latch follows them in order.
  mutating func interlockTransitions(_ c: inout PumpController) -> Violation? {
    for e in c.effects {
      switch e {
      case .modeChanged(_, .interlockStopped, _):
        latch = .latched
      case .interlockReset:
        if latch == .free { break }  // A latch from before this checker started.
        if c.interlockCondition {
          return violation(.interlockRestart, c.now, "reset accepted with the condition present")
        }
        latch = .resetAwaitingStart
      case .modeChanged(let from, let to, let reason) where to.mayDeliver && !from.mayDeliver:
        if latch == .latched {
          return violation(.interlockRestart, c.now, "\(from) → \(to) (\(reason)) without a reset")
        }
        if latch == .resetAwaitingStart {
          if reason != .command {
            return violation(.interlockRestart, c.now, "\(from) → \(to) by \(reason) after reset")
          }
          latch = .free
        }
      default: break
      }
    }
    return nil
  }

  /// HZ-09, HZ-10: a vital whose last readings confirmed it critical counts as critical until a
  /// reading says otherwise, stale or not: no delivery while a therapy is under way, no reset.
  @inline(__always)
  func staleCountsCritical(_ c: inout PumpController) -> Violation? {
    // Some vital's run is at least `persistSamples` long (the longest one decides).
    guard longestCriticalRun > 0, longestCriticalRun >= max(c.policy.persistSamples, 1) else {
      return nil
    }
    if c.mode.therapyActive && c.mode.mayDeliver {
      return violation(.staleCountsCritical, c.now, "delivering with a confirmed critical vital")
    }
    if c.effects.contains(.interlockReset) {
      return violation(
        .staleCountsCritical, c.now, "reset accepted with a confirmed critical vital")
    }
    return nil
  }

  /// HZ-02, HZ-03, HZ-04: delivered in any 60-min / 240-min window ≤ the prescription's limit
  /// plus two motor steps (the documented quantisation tolerance), checked whenever delivery
  /// grows. An independent oracle: cumulative totals interpolated linearly, not the ledger's
  /// buckets.
  @inline(__always)
  mutating func doseWindow(_ c: inout PumpController) -> Violation? {
    // The total unchanged since the last sample (every call but the control step that
    // delivered): nothing to record or check. (Here, inlined: no call for it.)
    if let last = lastDelivered, last.mass == c.ledger.totalPicograms { return nil }
    return doseWindowGrew(&c)
  }

  /// `doseWindow` when the delivered total changed (or there is no sample yet).
  mutating func doseWindowGrew(_ c: inout PumpController) -> Violation? {
    let t = c.now.rawValue
    let m = c.ledger.totalPicograms
    if let last = lastDelivered, ordered && (t < last.time || m < last.mass) { disorder() }
    if let last = lastDelivered, last.time == t {
      history[history.count - 1].mass = m
    } else {
      history.append(Delivered(time: t, mass: m))
      if history.count >= pruneAt { pruneHistory(now: t) }
    }
    lastDelivered = Delivered(time: t, mass: m)
    // (The limits read in place: binding the prescription copied it.)
    guard history.count > 1, t > uncontrolledUntil, let limit1h = c.prescription?.limit1h,
      let limit4h = c.prescription?.limit4h
    else { return nil }
    // The slack: no window can hold more than its limit (the tolerance is never negative).
    if windowBaseValid && m - windowBase1h <= limit1h.picograms
      && m - windowBase4h <= limit4h.picograms
    {
      slackCheckedAt = t
      slackChecks += 1
      return nil
    }
    return windowCheck(&c, t, m, limit1h.picograms, limit4h.picograms)
  }

  /// `doseWindow`'s full computation, when the slack does not answer: the window starts found,
  /// the bases set, each window against its limit plus the tolerance. (Apart, so that the
  /// common path, a sample recorded and the slack's answer, does not pay for the messages'
  /// stack frame.)
  @inline(never)
  mutating func windowCheck(
    _ c: inout PumpController, _ t: Int64, _ m: Int64, _ limit1h: Int64, _ limit4h: Int64
  ) -> Violation? {
    let tolerance = 2 * c.ledger.stepPicograms
    windowBase1h = cumulative(at: t - 3_600_000, from: &windowStart1h)
    windowBase4h = cumulative(at: t - 14_400_000, from: &windowStart4h)
    windowBaseValid = ordered
    slackCheckedAt = nil
    let in1h = m - windowBase1h
    let in4h = m - windowBase4h
    func check(_ inWindow: Int64, _ w: Int64, _ limit: Int64) -> Violation? {
      guard inWindow > limit + tolerance else { return nil }
      return violation(.doseWindow, c.now, "\(inWindow) pg in \(w / 60_000) min, limit \(limit) pg")
    }
    if let v = check(in1h, 3_600_000, limit1h) { return v }
    return check(in4h, 14_400_000, limit4h)
  }

  /// A sample out of order (time back, total down): the slack ends for good, and the window
  /// starts are brought to where the full checks the slack answered would have left them (the
  /// history up to here is in order, so a walk finds them as those checks would have).
  mutating func disorder() {
    ordered = false
    syncWindowStarts()
  }

  /// The window starts where the full checks the slack answered would have left them: the
  /// history is in order up to here, so a walk to the last such check's windows finds them as
  /// those checks would have. Before anything moves them otherwise (a prune, a sample out of
  /// order).
  mutating func syncWindowStarts() {
    windowBaseValid = false
    guard let t = slackCheckedAt else { return }
    slackCheckedAt = nil
    _ = cumulative(at: t - 3_600_000, from: &windowStart1h)
    _ = cumulative(at: t - 14_400_000, from: &windowStart4h)
  }

  /// Forgets samples no window can reach (older than 4 h, but one before that for
  /// interpolation), in batches so the cost stays O(1) per sample: a week's history stays small.
  mutating func pruneHistory(now t: Int64) {
    guard history.count >= pruneAt else { return }
    syncWindowStarts()
    var i = 0
    while i + 1 < history.count && history[i + 1].time <= t - 14_400_000 { i += 1 }
    history.removeFirst(i)
    windowStart1h = max(windowStart1h - i, 0)
    windowStart4h = max(windowStart4h - i, 0)
    pruneAt = max(8192, 2 * history.count)
  }

  /// Delivered total at `t`, linear between samples. `start` is where the last query for this
  /// window found its sample; the search walks on from there (times only grow), or searches
  /// afresh if `t` lies before it, and leaves `start` at the sample found.
  @inline(__always)
  func cumulative(at t: Int64, from start: inout Int) -> Int64 {
    guard let first = history.first else { return 0 }
    guard t > first.time else { return first.mass }
    var lo = 0
    var hi = history.count - 1
    if t >= history[hi].time { return history[hi].mass }
    if start > 0 && start < hi && history[start].time <= t {
      // The last sample at or before t: from the previous start, forward.
      lo = start
      while history[lo + 1].time <= t { lo += 1 }
      hi = lo + 1
    } else {
      while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if history[mid].time <= t { lo = mid } else { hi = mid }
      }
    }
    start = lo
    let a = history[lo]
    let b = history[hi]
    let span = max(b.time - a.time, 1)
    return a.mass + (b.mass - a.mass) * (t - a.time) / span
  }

  /// HZ-16: every press is answered — granted, or denied/rejected with a reason — exactly once.
  func pressAnswered(_ e: PumpEvent, _ c: inout PumpController) -> Violation? {
    guard case .patientBolusRequest = e else { return nil }
    var answers = 0
    for x in c.effects {
      switch x {
      case .bolusGranted, .bolusDenied, .rejected(.patientBolusRequest, _): answers += 1
      default: break
      }
    }
    return answers == 1 ? nil : violation(.pressAnswered, c.now, "\(answers) answers to one press")
  }

  /// HZ-17, HZ-18: an active, unacknowledged high-priority alarm sounds unless an audio pause
  /// that began after it is running; a non-silenceable alarm is never under an audio pause.
  @inline(__always)
  func annunciation(_ c: inout PumpController) -> Violation? {
    // (The alarms are walked only while an audio pause runs.)
    guard let until = c.alarms.audioPausedUntil, c.now < until else { return nil }
    return pausedAlarms(&c)
  }

  /// `annunciation` while an audio pause runs: every active alarm.
  func pausedAlarms(_ c: inout PumpController) -> Violation? {
    let a = c.alarms
    for code in a.activeCodes {
      let slot = a[code]
      if !code.properties.silenceable {
        return violation(.annunciation, c.now, "\(code) active under an audio pause")
      }
      if code.priority == .high && !slot.acknowledged {
        if let at = a.audioPausedAt, at < slot.raisedAt {
          return violation(.annunciation, c.now, "\(code) raised after the pause and silenced")
        }
      }
    }
    return nil
  }

  /// HZ-20, HZ-21, HZ-22: a prescription (or titration) the library and the wire accept is
  /// honoured exactly by the core, or rejected with a reason — never changed silently.
  func prescriptionHonoured(_ e: PumpEvent, _ r: Rejection?, _ c: inout PumpController)
    -> Violation?
  {
    guard r == nil else { return nil }
    switch e {
    case .program(let p):
      if let q = c.pending {
        if q != p {
          return violation(.prescriptionHonoured, c.now, "pending differs from programmed")
        }
      } else if c.prescription != p || c.basalRate != p.basalRate {
        return violation(
          .prescriptionHonoured, c.now,
          "active basal \(c.basalRate.rawValue) for \(p.basalRate.rawValue)")
      }
    case .confirmSoftLimits:
      if let p = c.prescription, c.basalRate != p.basalRate {
        return violation(.prescriptionHonoured, c.now, "confirmed basal not applied")
      }
    case .changeBasalRate(let b):
      if c.basalRate != b {
        return violation(.prescriptionHonoured, c.now, "titration not applied")
      }
    default: break
    }
    return nil
  }

  /// HZ-14, HZ-15: delivery never starts by itself: entering infusing/KVO from a mode that does
  /// not deliver is always a clinician command (start, resume) — never a tick, a reset, a power
  /// restore or an alarm clearing.
  @inline(__always)
  func noAutomaticRestart(_ c: inout PumpController) -> Violation? {
    if c.effects.isEmpty { return nil }
    for e in c.effects {
      if case .modeChanged(let from, let to, let reason) = e, to.mayDeliver, !from.mayDeliver,
        reason != .command
      {
        return violation(.noAutomaticRestart, c.now, "\(from) → \(to) by \(reason)")
      }
    }
    return nil
  }

  /// HZ-08: the basal rate in force rises at most once per rate-increase interval, whatever the
  /// command path (titration, re-programming, confirmation, or stop, program and start — a new
  /// therapy starting above the last one's rate is an increase too).
  @inline(__always)
  mutating func rateIncreaseInterval(_ c: inout PumpController) -> Violation? {
    // The basal in force unchanged since the last look (most calls): whether or not the guard
    // below passes, the rule finds no increase and changes nothing. (Inlined: no call for it.)
    if basalInForce == c.basalRate { return nil }
    return basalChanged(&c)
  }

  /// `rateIncreaseInterval` when the basal differs from the one last recorded.
  mutating func basalChanged(_ c: inout PumpController) -> Violation? {
    // (The interval read in place: binding the prescription copied it.)
    guard c.mode.therapyActive, let interval = c.prescription?.rateIncreaseInterval else {
      return nil
    }
    let rate = c.basalRate
    defer { basalInForce = rate }
    guard rate > basalInForce ?? .zero else { return nil }
    defer { lastIncrease = c.now }
    if let last = lastIncrease, c.now - last < interval {
      return violation(
        .rateIncreaseInterval, c.now,
        "basal \((basalInForce ?? .zero).rawValue) → \(rate.rawValue) µg/h "
          + "\((c.now - last).rawValue) ms after the last increase (interval "
          + "\(interval.rawValue) ms)")
    }
    return nil
  }

  // MARK: Independent vitals tracking

  /// One vitals sample against the controller's bands, read in place (passed by value, the
  /// policy or its five bands were copied at every sample).
  mutating func track(_ s: VitalsSample, _ c: inout PumpController) {
    if let v = s.sbp { track(.sbp, v, &c) }
    if let v = s.dbp { track(.dbp, v, &c) }
    if let v = s.hr { track(.hr, v, &c) }
    if let v = s.spo2 { track(.spo2, v, &c) }
    if let v = s.rr { track(.rr, v, &c) }
    let r = criticalRun
    // No run at all (nearly every sample): the longest is 0, without the five magnitudes.
    if r[0] | r[1] | r[2] | r[3] | r[4] == 0 {
      #if DEBUG
        debugNoRunTracks += 1
      #endif
      longestCriticalRun = 0
    } else {
      #if DEBUG
        debugRunTracks += 1
      #endif
      longestCriticalRun = max(max(abs(r[0]), abs(r[1])), max(abs(r[2]), abs(r[3])), abs(r[4]))
    }
  }

  /// One vital's reading: its critical run grows or ends. (The band is picked here from the
  /// controller in place: a band passed as an argument went as eight registers.)
  /// Only the critical bounds are read: `VitalBand.level(of:)` is `.criticalHigh` exactly when
  /// the value reaches `criticalHigh`, else `.criticalLow` exactly when it reaches
  /// `criticalLow`, and any other level ends the run (the warning bounds never matter here).
  @inline(__always)
  private mutating func track(_ vital: Vital, _ value: Int32, _ c: inout PumpController) {
    let (high, low) =
      switch vital {
      case .sbp: (c.policy.sbp.criticalHigh, c.policy.sbp.criticalLow)
      case .dbp: (c.policy.dbp.criticalHigh, c.policy.dbp.criticalLow)
      case .hr: (c.policy.hr.criticalHigh, c.policy.hr.criticalLow)
      case .spo2: (c.policy.spo2.criticalHigh, c.policy.spo2.criticalLow)
      case .rr: (c.policy.rr.criticalHigh, c.policy.rr.criticalLow)
      }
    let i = Int(vital.rawValue)
    if let h = high, value >= h {
      criticalRun[i] = criticalRun[i] > 0 ? criticalRun[i] + 1 : 1
    } else if let l = low, value <= l {
      criticalRun[i] = criticalRun[i] < 0 ? criticalRun[i] - 1 : -1
    } else {
      criticalRun[i] = 0
    }
  }
}
