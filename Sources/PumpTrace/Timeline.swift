import PumpCore
import PumpPatient

/// The observation stream indexed for the checker and the reports: mode, alarm, motor and
/// bolus histories and the delivered-dose curve.
public struct Timeline: Sendable {
  public private(set) var modes: [(Milliseconds, Mode)] = []
  /// Per alarm code: (time, active) changes, and the priorities of its raises.
  public private(set) var alarmChanges: [AlarmCode: [(Milliseconds, Bool, AlarmPriority?)]] = [:]
  public private(set) var motor: [(Milliseconds, MicrolitersPerHour)] = []
  public private(set) var boluses: [(Milliseconds, BolusDenial?)] = []
  public private(set) var commands: [(Milliseconds, Int, Rejection?)] = []
  public private(set) var audioBreaks: [(Milliseconds, AlarmCode)] = []
  public private(set) var power: [(Milliseconds, Bool)] = []
  /// Sampled pump values and patient samples (`expect value …`).
  public private(set) var values: [(Milliseconds, PumpValues)] = []
  /// Trace lines whose command the session refused (role-forbidden).
  public private(set) var forbidden: Set<Int> = []
  /// Event-log entries (`expect logged …`), time-ordered.
  public private(set) var logged: [(Milliseconds, LoggedKind)] = []
  public private(set) var patients: [(Milliseconds, PatientVitals)] = []
  /// Per alarm code: (time, acknowledged) changes (a raise or clear resets it).
  public private(set) var acks: [AlarmCode: [(Milliseconds, Bool)]] = [:]
  /// Delivered total (µg) samples, time-ordered (a sample at the time of the one before
  /// replaces it): the log's curve, shared.
  public private(set) var curve: [DeliveredPoint] = []
  /// True when the curve's times strictly increase (as every driver logs them): a window edge
  /// that falls on a sample then reads its total directly.
  fileprivate var deliveredIncreasing = true
  /// The curve's times and totals (tests). Each read builds a new array (O(samples)): bind it
  /// once, never index it in a loop (reports read `curve`).
  public var deliveredTimes: [Int64] { curve.map(\.time) }
  public var deliveredValues: [Int64] { curve.map(\.total) }
  /// Every observation but the delivered samples, in order (`ObservationLog.others`).
  public let others: [Observation]
  /// `maxWindow` answers found ahead by one sweep per window length (`precomputeWindows`).
  private var windowAnswers: [WindowQuery: WindowAnswer] = [:]
  #if DEBUG
    /// Window ends `precomputeWindows` read with both edges on samples (tests).
    public internal(set) var debugGridCandidates = 0
  #endif

  private struct WindowQuery: Hashable {
    var length: Int64
    var upTo: Int64
  }

  fileprivate struct WindowAnswer {
    var value: Int64
    var end: Int64
  }

  public init(_ log: ObservationLog) {
    others = log.others
    (curve, deliveredIncreasing) = (log.delivered, log.deliveredIncreasing)  // No copy.
    for o in others {
      let t = o.time
      switch o.event {
      case .mode(let m, _): modes.append((t, m))
      case .alarmRaised(let a, let p):
        alarmChanges[a, default: []].append((t, true, p))
        acks[a, default: []].append((t, false))
      case .alarmCleared(let a):
        alarmChanges[a, default: []].append((t, false, nil))
        acks[a, default: []].append((t, false))
      case .alarmAcknowledged(let a): acks[a, default: []].append((t, true))
      case .pumpValues(let v): values.append((t, v))
      case .roleForbidden(let line): forbidden.insert(line)
      case .logged(let k): logged.append((t, k))
      case .patient(let p): patients.append((t, p))
      case .motor(let r): motor.append((t, r))
      case .bolusGranted: boluses.append((t, nil))
      case .bolusDenied(let r): boluses.append((t, r))
      case .command(let line, let r): commands.append((t, line, r))
      case .audioPauseBroken(let a): audioBreaks.append((t, a))
      case .power(let on): power.append((t, on))
      case .delivered, .audioPaused: break
      }
    }
  }

  /// The mode after everything at or before `t`.
  public func mode(at t: Milliseconds) -> (Mode, since: Milliseconds)? {
    var found: (Mode, Milliseconds)? = nil
    for (tm, m) in modes {
      if tm > t { break }
      found = (m, tm)
    }
    return found
  }

  /// Whether `code` is active after everything at or before `t`, and since when.
  public func alarmActive(_ code: AlarmCode, at t: Milliseconds) -> Milliseconds? {
    var since: Milliseconds? = nil
    for (tm, on, _) in alarmChanges[code] ?? [] {
      if tm > t { break }
      since = on ? (since ?? tm) : nil
    }
    return since
  }

  /// The commanded rate after everything at or before `t`.
  public func rate(at t: Milliseconds) -> MicrolitersPerHour {
    var r = MicrolitersPerHour.zero
    for (tm, x) in motor {
      if tm > t { break }
      r = x
    }
    return r
  }

  /// Delivered total at `t`, µg, interpolated linearly between samples (rounded up).
  public func delivered(at t: Int64) -> Int64 {
    let c = curve
    guard let first = c.first, t >= first.time else { return 0 }
    var lo = 0
    var hi = c.count - 1
    if t >= c[hi].time { return c[hi].total }
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if c[mid].time <= t { lo = mid } else { hi = mid }
    }
    let (t0, t1) = (c[lo].time, c[hi].time)
    let (v0, v1) = (c[lo].total, c[hi].total)
    guard t1 > t0 else { return v1 }
    let num = (v1 - v0) * (t - t0)
    return v0 + (num + (t1 - t0) - 1) / (t1 - t0)
  }

  /// The largest amount delivered in any window of `length` ending at or before `t`, and
  /// where that window ends (the earliest end reaching it, `t` itself when no earlier one
  /// beats the window ending at `t`). Piecewise-linear totals: the maximum lies where either window
  /// edge meets a sample.
  public func maxWindow(_ length: Int64, upTo t: Int64) -> (Int64, end: Int64) {
    if let a = windowAnswers[WindowQuery(length: length, upTo: t)] { return (a.value, a.end) }
    var sweep = WindowSweep(self, length: length)
    sweep.advance(to: t)
    let a = answer(sweep.best, length: length, upTo: t)
    return (a.value, a.end)
  }

  /// The sweep's best earlier end if it beats the window ending at `t`, else that window.
  fileprivate func answer(_ best: WindowAnswer, length: Int64, upTo t: Int64) -> WindowAnswer {
    let atT = delivered(at: t) - delivered(at: t - length)
    return best.value > atT ? best : WindowAnswer(value: atT, end: t)
  }
}

extension Timeline {
  /// Answers `maxWindow(length, upTo: t)` for all `queries` ahead, in one pass over the samples
  /// per window length (the queries of a length in ascending `t`): the best window ending at or
  /// before a `t` is the best before the previous `t` or one ending in between. Each `maxWindow`
  /// alone walks every sample up to its `t`, so a 7-day trace with 15 window expectations
  /// walked the week 15 times. Same answers: the earliest end reaching the largest amount, or
  /// `t` itself when no earlier end beats the window ending at `t`.
  public mutating func precomputeWindows(_ queries: [(length: Int64, upTo: Int64)]) {
    var byLength: [Int64: [Int64]] = [:]
    for q in queries where q.length > 0 { byLength[q.length, default: []].append(q.upTo) }
    for (length, ends) in byLength {
      var sweep = WindowSweep(self, length: length)
      for t in Set(ends).sorted() {
        sweep.advance(to: t)
        windowAnswers[WindowQuery(length: length, upTo: t)] =
          answer(sweep.best, length: length, upTo: t)
      }
      #if DEBUG
        debugGridCandidates += sweep.gridCandidates
      #endif
    }
  }
}

/// The one sweep behind every "largest window" answer: candidate window ends in ascending
/// order (the samples, merged with the samples + length), so both window edges move forward
/// only (cursors, no search per candidate). `best` is the earliest end reaching the largest
/// amount seen so far (strictly larger replaces).
private struct WindowSweep {
  let curve: [DeliveredPoint]
  let length: Int64
  var end = DeliveredCursor()
  var start = DeliveredCursor()
  var a = 0
  var b = 0
  var best = Timeline.WindowAnswer(value: Int64.min, end: 0)
  #if DEBUG
    /// Candidates read with both edges on samples (tests: the path is exercised).
    var gridCandidates = 0
  #endif
  /// The times strictly increase: an edge on sample k reads `c[k].total`, what the cursor's
  /// interpolation gives there.
  let increasing: Bool

  init(_ tl: Timeline, length: Int64) {
    curve = tl.curve
    increasing = tl.deliveredIncreasing
    self.length = length
  }

  /// Visits every candidate end up to `t` not visited yet. (One loop over the buffers: the
  /// samples of a long run are visited here once per window length, ~87,000 a day at 1 Hz.)
  mutating func advance(to t: Int64) {
    curve.withUnsafeBufferPointer { c in
      var (a, b, end, start, best) = (a, b, end, start, best)
      let n = c.count
      while true {
        // Both edges on samples (a vitals feed's 1-s grid, a window of whole seconds): the
        // amount is the difference of two totals, and the next candidate is the next pair.
        if increasing {
          while a < n && b < n {
            let e = c[a].time
            guard e <= t && e == c[b].time + length else { break }
            let v = c[a].total - c[b].total
            if v > best.value { best = Timeline.WindowAnswer(value: v, end: e) }
            a += 1
            b += 1
            #if DEBUG
              gridCandidates += 1
            #endif
          }
          // Ends before the first sample's time + length: the window starts before every
          // sample, where the total is 0.
          if b == 0 && n > 0 {
            let firstEnd = c[0].time + length
            while a < n {
              let e = c[a].time
              guard e <= t && e < firstEnd else { break }
              if c[a].total > best.value { best = Timeline.WindowAnswer(value: c[a].total, end: e) }
              a += 1
              #if DEBUG
                gridCandidates += 1
              #endif
            }
          }
        }
        let ea = a < n ? c[a].time : Int64.max
        let eb = b < n ? c[b].time + length : Int64.max
        let e = min(ea, eb)
        guard e <= t else { break }
        // An edge on a sample reads it. An edge between samples k and k + 1 interpolates
        // there; sample k was a candidate already (ends come in ascending order), so the
        // cursor walks on from k.
        let high: Int64
        let low: Int64
        if increasing {
          if ea == e && a < n {
            high = c[a].total
          } else {
            end.i = max(end.i, a - 1)
            high = end.value(at: e, c)
          }
          if eb == e && b < n {
            low = c[b].total
          } else {
            start.i = max(start.i, b - 1)
            low = start.value(at: e - length, c)
          }
        } else {
          high = end.value(at: e, c)
          low = start.value(at: e - length, c)
        }
        if ea == e { a += 1 }
        if eb == e { b += 1 }
        let v = high - low
        if v > best.value { best = Timeline.WindowAnswer(value: v, end: e) }
      }
      (self.a, self.b, self.end, self.start, self.best) = (a, b, end, start, best)
    }
  }
}

/// `Timeline.delivered(at:)` for non-decreasing instants, walking the samples forward.
private struct DeliveredCursor {
  var i = 0

  @inline(__always)
  mutating func value(
    at t: Int64, _ c: UnsafeBufferPointer<DeliveredPoint>
  ) -> Int64 {
    guard let first = c.first, t >= first.time else { return 0 }
    let last = c.count - 1
    if t >= c[last].time { return c[last].total }
    while i + 1 < last && c[i + 1].time <= t { i += 1 }
    let (t0, t1) = (c[i].time, c[i + 1].time)
    let (v0, v1) = (c[i].total, c[i + 1].total)
    guard t1 > t0 else { return v1 }
    if t == t0 { return v0 }  // What the interpolation gives there, without a division.
    let num = (v1 - v0) * (t - t0)
    return v0 + (num + (t1 - t0) - 1) / (t1 - t0)
  }
}
