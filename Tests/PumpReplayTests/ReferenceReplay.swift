import PumpCore

@testable import PumpTrace

// The runner and the checker's delivered-window code as they were before the fast paths of
// docs/PERFORMANCE.md ("Issue 14, trace tooling"), kept as the reference the differential
// tests (TraceFastPathTests) compare the fast paths with. Do not optimise.

enum ReferenceRunner {
  /// Runs `trace` on `driver` from `setup` to `trace.end`.
  static func run<D: TraceDriver>(
    _ trace: Trace, setup: TraceSetup, driver: inout D, capturesVitals: Bool = false
  ) throws(TraceError) -> TraceRun {
    var log = ObservationLog(capturesVitals: capturesVitals)
    do {
      try driver.begin(setup, log: &log)
    } catch {
      var e = error
      e.file = trace.file
      e.line = trace.header.locations["profile"]?.line ?? 1
      e.column = 1
      throw e
    }
    // Delivered totals are sampled at the same instants by every driver (docs/TRACES.md,
    // "Delivered samples"): each instant of interest, after each action but a quiet vitals
    // sample, at the end. So an amount reads the same online and offline.
    let instants = trace.instants
    var nextInstant = 0
    func reach(_ t: Milliseconds) {
      while nextInstant < instants.count && instants[nextInstant] <= t {
        driver.advance(to: instants[nextInstant], log: &log)
        nextInstant += 1
      }
    }
    var active: [ReferenceSeries] = []
    var events = 0
    var order = 0
    var i = 0
    let steps = trace.steps
    while true {
      // The next script action; series lines start before samples of the same instant, so
      // an overlay masks the baseline from its first sample on.
      while i < steps.count {
        if case .expectation = steps[i].kind {
          i += 1
        } else if case .action(.vitalsSeries(let series)) = steps[i].kind,
          active.allSatisfy({ $0.nextTime >= steps[i].time })
        {
          order += 1
          let run = ReferenceSeries(series: series, order: order)
          if run.nextTime != Milliseconds(Int64.max) { active.append(run) }
          i += 1
        } else {
          break
        }
      }
      let ts = i < steps.count ? steps[i].time : Milliseconds(Int64.max)
      // (By index: a series is over 100 bytes, and a `for a in active` copies each one.)
      var best = -1
      for k in active.indices where best < 0 || active[k].nextTime < active[best].nextTime {
        best = k
      }
      if best >= 0, active[best].nextTime <= ts {
        let t = active[best].nextTime
        var mask: UInt8 = 0
        let bestOrder = active[best].order
        for k in active.indices where active[k].order > bestOrder && active[k].series.start <= t {
          mask |= active[k].series.vitals
        }
        let sample = active[best].take().removing(mask)
        if active[best].nextTime == Milliseconds(Int64.max) { active.remove(at: best) }
        if sample.presentMask != 0 {
          reach(t)
          driver.apply(.vitals(sample), at: t, line: 0, log: &log)
          events += 1
        }
        continue
      }
      guard i < steps.count else { break }
      let s = steps[i]
      i += 1
      guard case .action(let a) = s.kind else { continue }
      if case .vitalsSeries(let series) = a {
        order += 1
        let run = ReferenceSeries(series: series, order: order)
        if run.nextTime != Milliseconds(Int64.max) { active.append(run) }
        continue
      }
      if case .clockAdvance(let d) = a {
        // Time runs with nothing else happening: through the instants on the way, then a
        // sample where it stops (as after any action).
        reach(s.time + d)
        driver.advance(to: s.time + d, log: &log)
        events += 1
        continue
      }
      reach(s.time)
      driver.apply(a, at: s.time, line: s.line, log: &log)
      events += 1
    }
    let end = trace.end
    reach(end)
    return TraceRun(log: log, end: end, events: events, work: driver.work)
  }
}

/// A vitals series being expanded (the runner's before the one-series path).
struct ReferenceSeries {
  let series: VitalsSeries
  let order: Int
  var index = 0
  var nextTime: Milliseconds
  var rng: SplitMix64

  init(series: VitalsSeries, order: Int) {
    self.series = series
    self.order = order
    rng = SplitMix64(seed: series.seed)
    nextTime = Milliseconds(Int64.max)
    nextTime = time(of: 0)
  }

  func time(of k: Int) -> Milliseconds {
    switch series.source {
    case .generator(_, let period, let end, _):
      let t = series.start + Milliseconds(Int64(k) * period.rawValue)
      return t < end ? t : Milliseconds(Int64.max)
    case .table(let times, _):
      return k < times.count ? times[k] : Milliseconds(Int64.max)
    }
  }

  /// The sample at `nextTime`; moves to the next.
  mutating func take() -> VitalsSample {
    var s: VitalsSample
    switch series.source {
    case .generator(let base, _, _, let jitter):
      s = base
      if jitter > 0 {
        // Vital by vital in `Vital` order (the jitter stream's order), present ones only.
        func moved(_ x: Int32?) -> Int32? {
          guard let x else { return nil }
          return min(max(x + rng.jitter(jitter), 0), 999)
        }
        s.sbp = moved(base.sbp)
        s.dbp = moved(base.dbp)
        s.hr = moved(base.hr)
        s.spo2 = moved(base.spo2)
        s.rr = moved(base.rr)
      }
    case .table(_, let samples):
      s = samples[index]
    }
    index += 1
    nextTime = time(of: index)
    return s
  }
}

/// `Timeline`'s delivered curve and `maxWindow` as they were: the curve built record by record,
/// one sweep per query, every window edge read through a cursor.
struct ReferenceWindows {
  var deliveredTimes: [Int64] = []
  var deliveredValues: [Int64] = []

  init(_ log: ObservationLog) { self.init(records: log.records) }

  /// From the records as appended (independent of how the log keeps them).
  init(records: [Observation]) {
    for o in records {
      let t = o.time
      switch o.event {
      case .delivered(let m):
        if let last = deliveredTimes.last, last == t.rawValue {
          deliveredValues[deliveredValues.count - 1] = m.rawValue
        } else {
          deliveredTimes.append(t.rawValue)
          deliveredValues.append(m.rawValue)
        }
      default: break
      }
    }
  }

  /// Delivered total at `t`, µg, interpolated linearly between samples (rounded up).
  func delivered(at t: Int64) -> Int64 {
    let ts = deliveredTimes
    guard let first = ts.first, t >= first else { return 0 }
    var lo = 0
    var hi = ts.count - 1
    if t >= ts[hi] { return deliveredValues[hi] }
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if ts[mid] <= t { lo = mid } else { hi = mid }
    }
    let (t0, t1) = (ts[lo], ts[hi])
    let (v0, v1) = (deliveredValues[lo], deliveredValues[hi])
    guard t1 > t0 else { return v1 }
    let num = (v1 - v0) * (t - t0)
    return v0 + (num + (t1 - t0) - 1) / (t1 - t0)
  }

  func maxWindow(_ length: Int64, upTo t: Int64) -> (Int64, end: Int64) {
    var sweep = ReferenceSweep(self, length: length)
    sweep.advance(to: t)
    let atT = delivered(at: t) - delivered(at: t - length)
    return sweep.best.value > atT ? sweep.best : (atT, t)
  }
}

/// The one sweep behind every "largest window" answer: candidate window ends in ascending
/// order (the samples, merged with the samples + length), so both window edges move forward
/// only (cursors, no search per candidate). `best` is the earliest end reaching the largest
/// amount seen so far (strictly larger replaces).
struct ReferenceSweep {
  let ts: [Int64]
  let length: Int64
  var end: ReferenceCursor
  var start: ReferenceCursor
  var a = 0
  var b = 0
  var best: (value: Int64, end: Int64) = (value: Int64.min, end: Int64(0))

  init(_ tl: ReferenceWindows, length: Int64) {
    ts = tl.deliveredTimes
    self.length = length
    end = ReferenceCursor(tl)
    start = ReferenceCursor(tl)
  }

  /// Visits every candidate end up to `t` not visited yet.
  mutating func advance(to t: Int64) {
    while true {
      let ea = a < ts.count ? ts[a] : Int64.max
      let eb = b < ts.count ? ts[b] + length : Int64.max
      let e = min(ea, eb)
      guard e <= t else { return }
      if ea == e { a += 1 }
      if eb == e { b += 1 }
      let v = end.value(at: e) - start.value(at: e - length)
      if v > best.value { best = (v, e) }
    }
  }
}

/// `Timeline.delivered(at:)` for non-decreasing instants, walking the samples forward.
struct ReferenceCursor {
  let ts: [Int64]
  let vs: [Int64]
  var i = 0

  init(_ tl: ReferenceWindows) {
    ts = tl.deliveredTimes
    vs = tl.deliveredValues
  }

  mutating func value(at t: Int64) -> Int64 {
    guard let first = ts.first, t >= first else { return 0 }
    let last = ts.count - 1
    if t >= ts[last] { return vs[last] }
    while i + 1 < last && ts[i + 1] <= t { i += 1 }
    let (t0, t1) = (ts[i], ts[i + 1])
    let (v0, v1) = (vs[i], vs[i + 1])
    guard t1 > t0 else { return v1 }
    let num = (v1 - v0) * (t - t0)
    return v0 + (num + (t1 - t0) - 1) / (t1 - t0)
  }
}
