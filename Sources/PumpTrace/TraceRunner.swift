import PumpCore

/// What one run produced: the observations, the end time, and the work done.
public struct TraceRun: Sendable {
  public var log: ObservationLog
  /// The instant the run ended (ms since the start).
  public var end: Milliseconds
  /// Actions applied, vitals samples from series included (the events of the run).
  public var events: Int
  /// Driver work (offline: control steps).
  public var work: Int64
  #if DEBUG
    /// Series samples taken by the one-series path (tests: the fast path is exercised).
    public internal(set) var debugFastSamples = 0
  #endif
}

/// Walks a trace's timeline and hands each action to a `TraceDriver`, expanding vitals series
/// on the fly. Order: by time; at equal times series samples come first (in series order),
/// then the trace's lines in file order. A vital fed by a newer active series is masked out of
/// older series' samples, so an episode line overlays a baseline and the baseline resumes
/// when the episode ends.
public enum TraceRunner {
  /// Runs `trace` on `driver` from `setup` to `trace.end`.
  public static func run<D: TraceDriver>(
    _ trace: Trace, setup: TraceSetup, driver: inout D, capturesVitals: Bool = false
  ) throws(TraceError) -> TraceRun {
    var log = ObservationLog(capturesVitals: capturesVitals)
    // Room for every record a run of this trace makes in the common case (one delivered
    // sample per event and instant, and as many sampled values when the trace reads them),
    // so the log is written once instead of grown and copied about twenty times.
    let instants = trace.instants
    let samples = expectedEvents(trace) + instants.count + 256
    log.reserveCapacity(samples, others: trace.samplesValues ? samples : 0)
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
    var nextInstant = 0
    func reach(_ t: Milliseconds) {
      while nextInstant < instants.count && instants[nextInstant] <= t {
        driver.advance(to: instants[nextInstant], log: &log)
        nextInstant += 1
      }
    }
    var active: [ActiveSeries] = []
    var events = 0
    #if DEBUG
      var fastSamples = 0
    #endif
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
          let run = ActiveSeries(series: series, order: order)
          if run.nextTime != Milliseconds(Int64.max) { active.append(run) }
          i += 1
        } else {
          break
        }
      }
      let ts = i < steps.count ? steps[i].time : Milliseconds(Int64.max)
      // One active series (the common case: a baseline feed): nothing to mask, no series to
      // pick. Its samples before the next script action go straight to the driver; a sample
      // at that action's instant goes the general way (a series line there starts first).
      if active.count == 1, active[0].nextTime < ts {
        var only = active.removeLast()  // Moved out: no uniqueness check per sample.
        repeat {
          let t = only.nextTime
          let sample = only.take()
          #if DEBUG
            fastSamples += 1
          #endif
          if sample.presentMask != 0 {
            reach(t)
            driver.apply(vitals: sample, at: t, log: &log)
            events += 1
          }
        } while only.nextTime < ts
        if only.nextTime != Milliseconds(Int64.max) { active.append(only) }
        continue
      }
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
          driver.apply(vitals: sample, at: t, log: &log)
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
        let run = ActiveSeries(series: series, order: order)
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
    var run = TraceRun(log: log, end: end, events: events, work: driver.work)
    #if DEBUG
      run.debugFastSamples = fastSamples
    #endif
    return run
  }

  /// The events a run of `trace` applies when no series masks a whole sample: its actions
  /// and every series' samples.
  static func expectedEvents(_ trace: Trace) -> Int {
    var n = 0
    for s in trace.steps {
      guard case .action(let a) = s.kind else { continue }
      if case .vitalsSeries(let series) = a { n += series.count } else { n += 1 }
    }
    return n
  }
}

/// A vitals series being expanded.
struct ActiveSeries {
  let series: VitalsSeries
  let order: Int
  var index = 0
  var nextTime: Milliseconds
  var rng: SplitMix64
  /// The series' source, read out of `series.source` once: a generator's parameters (nil:
  /// a table), or a table's samples.
  private let generator: Generator?
  private let times: [Milliseconds]
  private let samples: [VitalsSample]

  private struct Generator {
    var base: VitalsSample
    var period: Int64
    var end: Milliseconds
    var jitter: Int32
    /// The base's five values when it has all five (every baseline feed), else nil: their
    /// samples are drawn without a presence test per vital.
    var full: (Int32, Int32, Int32, Int32, Int32)?

    init(base: VitalsSample, period: Int64, end: Milliseconds, jitter: Int32) {
      (self.base, self.period, self.end, self.jitter) = (base, period, end, jitter)
      if let a = base.sbp, let b = base.dbp, let c = base.hr, let d = base.spo2, let e = base.rr {
        full = (a, b, c, d, e)
      }
    }
  }

  init(series: VitalsSeries, order: Int) {
    self.series = series
    self.order = order
    rng = SplitMix64(seed: series.seed)
    switch series.source {
    case .generator(let base, let period, let end, let jitter):
      generator = Generator(base: base, period: period.rawValue, end: end, jitter: jitter)
      (times, samples) = ([], [])
    case .table(let times, let samples):
      generator = nil
      (self.times, self.samples) = (times, samples)
    }
    nextTime = Milliseconds(Int64.max)
    nextTime = time(of: 0)
  }

  /// Whether the samples are drawn the all-five way (tests: the path is taken).
  var drawsAllFive: Bool {
    guard let g = generator else { return false }
    return g.jitter > 0 && g.full != nil
  }

  func time(of k: Int) -> Milliseconds {
    if let g = generator {
      let t = series.start + Milliseconds(Int64(k) * g.period)
      return t < g.end ? t : Milliseconds(Int64.max)
    }
    return k < times.count ? times[k] : Milliseconds(Int64.max)
  }

  /// The sample at `nextTime`; moves to the next.
  mutating func take() -> VitalsSample {
    var s: VitalsSample
    if let g = generator {
      s = g.base
      if g.jitter > 0 {
        // Vital by vital in `Vital` order (the jitter stream's order), present ones only.
        func moved(_ x: Int32) -> Int32 { min(max(x + rng.jitter(g.jitter), 0), 999) }
        if let b = g.full {
          // All five (a baseline feed): no presence test per vital; the same draws in the
          // same order (arguments are evaluated left to right).
          s = VitalsSample(
            sbp: moved(b.0), dbp: moved(b.1), hr: moved(b.2), spo2: moved(b.3), rr: moved(b.4))
        } else {
          s.sbp = s.sbp.map(moved)
          s.dbp = s.dbp.map(moved)
          s.hr = s.hr.map(moved)
          s.spo2 = s.spo2.map(moved)
          s.rr = s.rr.map(moved)
        }
      }
      // `time(of: index + 1)` one period on, without the multiplication (`nextTime` is the
      // sample's own `start + index × period`, before `end`).
      let t = nextTime + Milliseconds(g.period)
      nextTime = t < g.end ? t : Milliseconds(Int64.max)
    } else {
      s = samples[index]
      nextTime = time(of: index + 1)
    }
    index += 1
    return s
  }
}
