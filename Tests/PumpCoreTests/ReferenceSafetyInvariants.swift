import PumpCore
import PumpHardware

// The safety invariants as they stood before the issue-14 rig pass (commit 625dbbb), kept
// unchanged as the reference for `SafetyInvariantsReferenceTests`: the optimised checker must
// give the same verdict as this one at every call. Only the type's name and its `Violation`
// (the checker's own is not constructible outside PumpHardware) differ. Do not optimise this
// copy.
struct ReferenceSafetyInvariants: Sendable {
  /// Which rule was broken.
  typealias Rule = SafetyInvariants.Rule

  struct Violation: Error, Sendable, CustomStringConvertible {
    var rule: Rule
    var time: Milliseconds
    var detail: String
    var description: String { "\(rule.rawValue) at \(time.rawValue) ms: \(detail)" }
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
  /// Delivered total (pg) history: times and cumulative mass, appended when it changes.
  var times: [Int64] = []
  var masses: [Int64] = []
  var uncontrolledUntil: Int64 = Int64.min
  /// The last call saw hardware that did not follow the command. The four hours run from the
  /// first call that sees it follow again: steps a failed sensor held back (through a power
  /// outage, say) reach the ledger only then.
  var wasUncontrolled = false
  /// History length at which `pruneHistory` looks next (amortised O(1) per sample).
  var pruneAt = 8192
  /// Where the 60-min and 240-min window starts were last found in `times`: both only move
  /// forward as time does, so each check walks a sample or two instead of a binary search.
  var windowStart1h = 0
  var windowStart4h = 0
  private(set) var checks: Int64 = 0
  /// The basal last in force in a therapy (kept across stops) and when the in-force basal last
  /// rose above the one before it, seen from the controller's state after each accepted event.
  var basalInForce: MicrogramsPerHour? = nil
  var lastIncrease: Milliseconds? = nil

  init() {}

  // MARK: Entry points

  /// Checks the state and the effects of one controller call.
  mutating func observe(_ c: PumpController, hardwareFollowsCommand: Bool = true)
    -> Violation?
  {
    checks += 1
    if !hardwareFollowsCommand || wasUncontrolled {
      uncontrolledUntil = c.now.rawValue + 4 * 3_600_000
      wasUncontrolled = !hardwareFollowsCommand
    }
    return noDeliveryWhileStopped(c) ?? interlockRestart(c) ?? staleCountsCritical(c)
      ?? doseWindow(c) ?? annunciation(c) ?? noAutomaticRestart(c) ?? rateIncreaseInterval(c)
  }

  /// Checks what an accepted or rejected event must have done.
  mutating func afterEvent(_ e: PumpEvent, rejection: Rejection?, _ c: PumpController)
    -> Violation?
  {
    if case .vitals(let s) = e { track(s, policy: c.policy) }
    return pressAnswered(e, c) ?? prescriptionHonoured(e, rejection, c) ?? staleCountsCritical(c)
      ?? rateIncreaseInterval(c)
  }

  func violation(_ r: Rule, _ c: PumpController, _ d: String) -> Violation {
    Violation(rule: r, time: c.now, detail: d)
  }

  // MARK: The invariants

  /// HZ-01, HZ-05, HZ-12, HZ-19: no motor command while any stop- or fault-class alarm is
  /// active, or the pump is paused, stopped, complete, faulted or interlock-stopped/latched.
  func noDeliveryWhileStopped(_ c: PumpController) -> Violation? {
    guard c.commandedRate.rawValue > 0 else { return nil }
    if !c.mode.mayDeliver { return violation(.noDeliveryWhileStopped, c, "motor on in \(c.mode)") }
    if c.alarms.anyActive(action: .stop) || c.alarms.anyActive(action: .fault) {
      return violation(.noDeliveryWhileStopped, c, "motor on with \(c.alarms.activeCodes)")
    }
    if c.interlockLatched {
      return violation(.noDeliveryWhileStopped, c, "motor on with the interlock latched")
    }
    return nil
  }

  /// HZ-13, HZ-14: after an interlock stop, infusion resumes only after (condition gone) AND
  /// (clinician reset) AND (a clinician start/resume), whatever comes in between.
  mutating func interlockRestart(_ c: PumpController) -> Violation? {
    for e in c.effects {
      switch e {
      case .modeChanged(_, .interlockStopped, _):
        latch = .latched
      case .interlockReset:
        if latch == .free { break }  // A latch from before this checker started.
        if c.interlockCondition {
          return violation(.interlockRestart, c, "reset accepted with the condition present")
        }
        latch = .resetAwaitingStart
      case .modeChanged(let from, let to, let reason) where to.mayDeliver && !from.mayDeliver:
        if latch == .latched {
          return violation(.interlockRestart, c, "\(from) → \(to) (\(reason)) without a reset")
        }
        if latch == .resetAwaitingStart {
          if reason != .command {
            return violation(.interlockRestart, c, "\(from) → \(to) by \(reason) after reset")
          }
          latch = .free
        }
      default: break
      }
    }
    if latch == .latched && c.mode.mayDeliver {
      return violation(.interlockRestart, c, "delivering in \(c.mode) while latched")
    }
    return nil
  }

  /// HZ-09, HZ-10: a vital whose last readings confirmed it critical counts as critical until a
  /// reading says otherwise, stale or not: no delivery while a therapy is under way, no reset.
  func staleCountsCritical(_ c: PumpController) -> Violation? {
    // Some vital's run is at least `persistSamples` long (the longest one decides).
    guard longestCriticalRun > 0, longestCriticalRun >= max(c.policy.persistSamples, 1) else {
      return nil
    }
    if c.mode.therapyActive && c.mode.mayDeliver {
      return violation(.staleCountsCritical, c, "delivering with a confirmed critical vital")
    }
    if c.effects.contains(.interlockReset) {
      return violation(.staleCountsCritical, c, "reset accepted with a confirmed critical vital")
    }
    return nil
  }

  /// HZ-02, HZ-03, HZ-04: delivered in any 60-min / 240-min window ≤ the prescription's limit
  /// plus two motor steps (the documented quantisation tolerance), checked whenever delivery
  /// grows. An independent oracle: cumulative totals interpolated linearly, not the ledger's
  /// buckets.
  mutating func doseWindow(_ c: PumpController) -> Violation? {
    let t = c.now.rawValue
    let m = c.ledger.totalPicograms
    if let last = masses.last, last == m { return nil }
    if let lt = times.last, lt == t {
      masses[masses.count - 1] = m
    } else {
      times.append(t)
      masses.append(m)
      pruneHistory(now: t)
    }
    guard masses.count > 1, let p = c.prescription, t > uncontrolledUntil else { return nil }
    let tolerance = 2 * c.ledger.stepPicograms
    let in1h = m - cumulative(at: t - 3_600_000, from: &windowStart1h)
    let in4h = m - cumulative(at: t - 14_400_000, from: &windowStart4h)
    func check(_ inWindow: Int64, _ w: Int64, _ limit: Int64) -> Violation? {
      guard inWindow > limit + tolerance else { return nil }
      return violation(.doseWindow, c, "\(inWindow) pg in \(w / 60_000) min, limit \(limit) pg")
    }
    return check(in1h, 3_600_000, p.limit1h.picograms)
      ?? check(in4h, 14_400_000, p.limit4h.picograms)
  }

  /// Forgets samples no window can reach (older than 4 h, but one before that for
  /// interpolation), in batches so the cost stays O(1) per sample: a week's history stays small.
  mutating func pruneHistory(now t: Int64) {
    guard times.count >= pruneAt else { return }
    var i = 0
    while i + 1 < times.count && times[i + 1] <= t - 14_400_000 { i += 1 }
    times.removeFirst(i)
    masses.removeFirst(i)
    windowStart1h = max(windowStart1h - i, 0)
    windowStart4h = max(windowStart4h - i, 0)
    pruneAt = max(8192, 2 * times.count)
  }

  /// Delivered total at `t`, linear between samples. `start` is where the last query for this
  /// window found its sample; the search walks on from there (times only grow), or searches
  /// afresh if `t` lies before it, and leaves `start` at the sample found.
  func cumulative(at t: Int64, from start: inout Int) -> Int64 {
    guard let first = times.first, t > first else { return masses.first ?? 0 }
    var lo = 0
    var hi = times.count - 1
    if t >= times[hi] { return masses[hi] }
    if start > 0 && start < hi && times[start] <= t {
      // The last sample at or before t: from the previous start, forward.
      lo = start
      while times[lo + 1] <= t { lo += 1 }
      hi = lo + 1
    } else {
      while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if times[mid] <= t { lo = mid } else { hi = mid }
      }
    }
    start = lo
    let span = max(times[hi] - times[lo], 1)
    return masses[lo] + (masses[hi] - masses[lo]) * (t - times[lo]) / span
  }

  /// HZ-16: every press is answered — granted, or denied/rejected with a reason — exactly once.
  func pressAnswered(_ e: PumpEvent, _ c: PumpController) -> Violation? {
    guard case .patientBolusRequest = e else { return nil }
    var answers = 0
    for x in c.effects {
      switch x {
      case .bolusGranted, .bolusDenied, .rejected(.patientBolusRequest, _): answers += 1
      default: break
      }
    }
    return answers == 1 ? nil : violation(.pressAnswered, c, "\(answers) answers to one press")
  }

  /// HZ-17, HZ-18: an active, unacknowledged high-priority alarm sounds unless an audio pause
  /// that began after it is running; a non-silenceable alarm is never under an audio pause.
  func annunciation(_ c: PumpController) -> Violation? {
    let a = c.alarms
    guard let until = a.audioPausedUntil, c.now < until else { return nil }
    for code in a.activeCodes {
      let slot = a[code]
      if !code.properties.silenceable {
        return violation(.annunciation, c, "\(code) active under an audio pause")
      }
      if code.priority == .high && !slot.acknowledged {
        if let at = a.audioPausedAt, at < slot.raisedAt {
          return violation(.annunciation, c, "\(code) raised after the pause and silenced")
        }
      }
    }
    return nil
  }

  /// HZ-20, HZ-21, HZ-22: a prescription (or titration) the library and the wire accept is
  /// honoured exactly by the core, or rejected with a reason — never changed silently.
  func prescriptionHonoured(_ e: PumpEvent, _ r: Rejection?, _ c: PumpController) -> Violation? {
    guard r == nil else { return nil }
    switch e {
    case .program(let p):
      if let q = c.pending {
        if q != p { return violation(.prescriptionHonoured, c, "pending differs from programmed") }
      } else if c.prescription != p || c.basalRate != p.basalRate {
        return violation(
          .prescriptionHonoured, c,
          "active basal \(c.basalRate.rawValue) for \(p.basalRate.rawValue)")
      }
    case .confirmSoftLimits:
      if let p = c.prescription, c.basalRate != p.basalRate {
        return violation(.prescriptionHonoured, c, "confirmed basal not applied")
      }
    case .changeBasalRate(let b):
      if c.basalRate != b { return violation(.prescriptionHonoured, c, "titration not applied") }
    default: break
    }
    return nil
  }

  /// HZ-14, HZ-15: delivery never starts by itself: entering infusing/KVO from a mode that does
  /// not deliver is always a clinician command (start, resume) — never a tick, a reset, a power
  /// restore or an alarm clearing.
  func noAutomaticRestart(_ c: PumpController) -> Violation? {
    for e in c.effects {
      if case .modeChanged(let from, let to, let reason) = e, to.mayDeliver, !from.mayDeliver,
        reason != .command
      {
        return violation(.noAutomaticRestart, c, "\(from) → \(to) by \(reason)")
      }
    }
    return nil
  }

  /// HZ-08: the basal rate in force rises at most once per rate-increase interval, whatever the
  /// command path (titration, re-programming, confirmation, or stop, program and start — a new
  /// therapy starting above the last one's rate is an increase too).
  mutating func rateIncreaseInterval(_ c: PumpController) -> Violation? {
    guard c.mode.therapyActive, let rx = c.prescription else { return nil }
    let rate = c.basalRate
    defer { basalInForce = rate }
    guard rate > basalInForce ?? .zero else { return nil }
    defer { lastIncrease = c.now }
    if let last = lastIncrease, c.now - last < rx.rateIncreaseInterval {
      return violation(
        .rateIncreaseInterval, c,
        "basal \((basalInForce ?? .zero).rawValue) → \(rate.rawValue) µg/h "
          + "\((c.now - last).rawValue) ms after the last increase (interval "
          + "\(rx.rateIncreaseInterval.rawValue) ms)")
    }
    return nil
  }

  // MARK: Independent vitals tracking

  mutating func track(_ s: VitalsSample, policy: VitalsPolicy) {
    track(0, s.sbp, policy.sbp)
    track(1, s.dbp, policy.dbp)
    track(2, s.hr, policy.hr)
    track(3, s.spo2, policy.spo2)
    track(4, s.rr, policy.rr)
    var longest: Int32 = 0
    for i in criticalRun.indices { longest = max(longest, abs(criticalRun[i])) }
    longestCriticalRun = longest
  }

  /// One vital of a sample (index `i` = `Vital.rawValue`): its critical run grows or ends.
  private mutating func track(_ i: Int, _ value: Int32?, _ band: VitalBand) {
    guard let value else { return }
    switch band.level(of: value) {
    case .criticalHigh: criticalRun[i] = criticalRun[i] > 0 ? criticalRun[i] + 1 : 1
    case .criticalLow: criticalRun[i] = criticalRun[i] < 0 ? criticalRun[i] - 1 : -1
    default: criticalRun[i] = 0
    }
  }
}
