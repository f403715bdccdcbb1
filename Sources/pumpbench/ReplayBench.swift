// The `replay` suite: offline trace replay cost (docs/TRACES.md). Event-driven replay must cost
// in proportion to events, not to simulated time: the 7-day course with 1 Hz vitals against the
// same course with vitals every 15 min.
import Foundation
import PumpConfig
import PumpCore
import PumpReplay
import PumpTrace

private struct ReplayTiming {
  var bestNanoseconds: Int64
  var events: Int
  var work: Int64
  var simulated: Milliseconds
  var verdict: Verdict
}

/// Replays `trace` `runs` times and keeps the fastest (parse excluded).
private func time(_ trace: Trace, _ setup: TraceSetup, runs: Int) -> ReplayTiming {
  var best = Int64.max
  var last: TraceResult? = nil
  for _ in 0..<runs {
    let r = OfflineReplay.run(trace, setup: setup)
    best = min(best, r.wallNanoseconds)
    last = r
  }
  return ReplayTiming(
    bestNanoseconds: best, events: last?.events ?? 0, work: last?.work ?? 0,
    simulated: last?.simulated ?? .zero, verdict: last?.verdict ?? .fail)
}

private func ms(_ ns: Int64) -> String { String(format: "%.1f ms", Double(ns) / 1e6) }

private func option(_ args: [String], _ name: String, _ fallback: String) -> String {
  if let i = args.firstIndex(of: name), i + 1 < args.count { return args[i + 1] }
  return fallback
}

/// `pumpbench replay [--profiles DIR] [--traces DIR] [--only day|week|parse] [--runs N]`: run
/// from the repository root. `--only` runs one load (for callgrind: `--only day --runs 1`).
func runReplayBench(_ args: [String]) throws -> [BenchRow] {
  let config = try PumpConfig.loadDirectory(option(args, "--profiles", "HardwareProfiles"))
  let dir = option(args, "--traces", "Tests/Traces")
  let only = option(args, "--only", "all")
  let runsOverride = Int(option(args, "--runs", "0")) ?? 0
  func runs(_ n: Int) -> Int { runsOverride > 0 ? runsOverride : n }
  var rows: [BenchRow] = []

  func bound(_ t: Trace) throws -> TraceSetup { try TraceSetup.bind(t, to: config) }
  func describe(_ name: String, _ t: ReplayTiming, goalMs: Int64?) -> [BenchRow] {
    let perEvent = Double(t.bestNanoseconds) / Double(max(t.events, 1))
    let eventsPerSecond = Double(t.events) / (Double(t.bestNanoseconds) / 1e9)
    let speedup = Double(t.simulated.rawValue) * 1e6 / Double(t.bestNanoseconds)
    return [
      BenchRow(
        name: "\(name): wall time (\(t.events) events, verdict \(t.verdict.rawValue))",
        value: ms(t.bestNanoseconds), goal: goalMs.map { "≤ \($0) ms" } ?? "-",
        met: goalMs.map { t.bestNanoseconds <= $0 * 1_000_000 }),
      BenchRow(
        name: "\(name): events/s, ns/event",
        value: String(format: "%.2f M/s, %.0f ns", eventsPerSecond / 1e6, perEvent), goal: "-",
        met: nil),
      BenchRow(
        name: "\(name): control steps, speed-up over real time",
        value: String(format: "%lld, %.0f×", t.work, speedup), goal: "-", met: nil),
    ]
  }

  // 24 hours, 1 Hz.
  if only == "all" || only == "day" {
    let day = try ReplayBatch.load("\(dir)/postop-24h.trace")
    let dayTiming = time(day, try bound(day), runs: runs(5))
    rows += describe("24 h, 1 Hz vitals", dayTiming, goalMs: 20)
  }
  if only == "day" { return rows }

  // 7 days, 1 Hz: 604,800 samples from one generator line.
  let weekText = try String(contentsOfFile: "\(dir)/postop-7day.trace", encoding: .utf8)
  if only == "all" || only == "week" {
    let week = try TraceParser.parse(weekText, file: "postop-7day.trace")
    let weekTiming = time(week, try bound(week), runs: runs(3))
    rows += describe("7 d, 1 Hz vitals", weekTiming, goalMs: 200)
    if only == "week" { return rows }

    // The same week with vitals every 15 min (an intermittent monitor: 20-min data-age limit).
    let sparseText = weekText.replacingOccurrences(
      of: "0s vitals every 1s until 7d", with: "0s vitals every 15min until 7d"
    ).replacingOccurrences(of: "seed: 7007", with: "seed: 7007\nvitals-stale-after: 20min")
    let sparse = try TraceParser.parse(sparseText, file: "postop-7day-15min.trace")
    let sparseTiming = time(sparse, try bound(sparse), runs: 3)
    rows += describe("7 d, vitals every 15 min", sparseTiming, goalMs: nil)
    let eventRatio = Double(weekTiming.events) / Double(max(sparseTiming.events, 1))
    let costRatio =
      Double(weekTiming.bestNanoseconds) / Double(max(sparseTiming.bestNanoseconds, 1))
    rows.append(
      BenchRow(
        name: "7 d: 1 Hz vs 15 min — events ratio, wall-time ratio",
        value: String(format: "%.0f×, %.0f×", eventRatio, costRatio),
        goal: "cost scales with events", met: costRatio > eventRatio / 10))
  }

  // Parsing: the 1 Hz week written out as 604,800 explicit vitals lines (made here, not in git).
  let header = weekText.components(separatedBy: "0s vitals every 1s until 7d").first ?? ""
  var text = header
  text.reserveCapacity(40_000_000)
  for s in 0..<604_800 {
    text += "\(s)s vitals SBP=\(120 + s % 9) DBP=\(74 + s % 5) HR=\(80 + s % 7) SpO2=96 RR=15\n"
  }
  let bytes = Array(text.utf8)
  let clock = ContinuousClock()
  var bestParse = Duration.seconds(1000)
  var parsed: Trace? = nil
  for _ in 0..<runs(3) {
    parsed = nil  // the previous run's trace is freed before the clock starts, not inside it
    let t0 = clock.now
    parsed = try TraceParser.parse(bytes: bytes, file: "postop-7day-explicit.trace")
    bestParse = min(bestParse, clock.now - t0)
  }
  let parseNs =
    bestParse.components.seconds * 1_000_000_000 + bestParse.components.attoseconds / 1_000_000_000
  rows.append(
    BenchRow(
      name: "parse 604,800 explicit vitals lines (\(bytes.count / 1_000_000) MB)",
      value: String(
        format: "%@, %.0f MB/s, %.0f ns/line", ms(parseNs),
        Double(bytes.count) / Double(parseNs) * 1e3, Double(parseNs) / 604_800),
      goal: "≥ 300 MB/s", met: Double(bytes.count) / Double(parseNs) * 1e3 >= 300))
  if only == "parse" { return rows }
  if let parsed {
    let explicit = time(parsed, try bound(parsed), runs: 1)
    rows += describe("7 d, 1 Hz explicit vitals lines only", explicit, goalMs: nil).prefix(2)
  }
  return rows
}
