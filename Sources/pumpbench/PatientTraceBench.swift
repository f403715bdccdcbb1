// The `patient-trace` suite: a trace naming a patient replayed offline (PumpTrace's
// OfflineDriver stepping the patient on its 1-s grid), one 24-h course and a cohort of them
// (`pumpmon replay --cohort`), docs/PATIENT.md "Traces".
import Dispatch
import Foundation
import PumpConfig
import PumpReplay
import PumpTrace

private enum PatientTraceBenchError: Error { case refused(String) }

private func wallNow() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

private func cpuNow() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `pumpbench patient-trace [trace] [--profiles DIR] [--cohort N] [--threads T]`: the median
/// wall time of 7 offline replays of the 24-h ward trace (scenario 1; goal ≤ 100 ms), and the
/// trace across a cohort of N (default 1,000) adults on T threads (default every core; goal
/// ≤ 60 s for 1,000).
func runPatientTraceBench(_ args: [String]) throws -> [BenchRow] {
  var args = args
  func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    let v = args[i + 1]
    args.removeSubrange(i...(i + 1))
    return v
  }
  let count = option("--cohort").flatMap(Int.init) ?? 1000
  let threads = max(
    option("--threads").flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount, 1)
  let dir = option("--profiles") ?? "HardwareProfiles"
  let path = args.first { !$0.hasPrefix("--") } ?? "Tests/Traces/patient/ward-adult-24h.trace"
  let config = try PumpConfig.loadDirectory(dir)
  let trace = try ReplayBatch.load(path)
  let setup = try TraceSetup.bind(trace, to: config)

  var times: [Double] = []
  var one: TraceResult? = nil
  for _ in 0..<7 {
    let t0 = wallNow()
    one = OfflineReplay.run(trace, setup: setup)
    times.append(wallNow() - t0)
  }
  times.sort()
  let median = times[times.count / 2] * 1000

  let seed = setup.patient?.seed ?? 0
  let t0 = wallNow()
  let cpu0 = cpuNow()
  let members: [CohortReplay.Member]
  do {
    members = try CohortReplay.run(trace, setup: setup, count: count, seed: seed, threads: threads)
  } catch { throw PatientTraceBenchError.refused(error.description) }
  let wall = wallNow() - t0
  let cpu = cpuNow() - cpu0
  let s = CohortSummary(members, seed: seed)
  func f(_ x: Double) -> String { format1(x) }
  return [
    BenchRow(
      name: "24-h patient trace offline (\(trace.header.name), median of 7)",
      value: f(median) + " ms", goal: "≤ 100 ms", met: median <= 100),
    BenchRow(
      name: "  that run: verdict, checks",
      value: one.map {
        "\($0.verdict.rawValue), \($0.expectations.filter(\.passed).count)/\($0.expectations.count)"
      }
        ?? "-", goal: "-", met: nil),
    BenchRow(
      name: "cohort of \(count) × that trace on \(threads) threads", value: f(wall) + " s",
      goal: count == 1000 ? "≤ 60 s" : "-", met: count == 1000 ? wall <= 60 : nil),
    BenchRow(
      name: "  cohort CPU time (all threads); wall if every core were free",
      value: f(cpu) + " s; " + f(cpu / Double(threads)) + " s", goal: "-", met: nil),
    BenchRow(
      name: "  max Cp median/p95/max (ng/mL)",
      value: "\(f(s.maxPlasma.median)) / \(f(s.maxPlasma.p95)) / \(f(s.maxPlasma.max))",
      goal: "-", met: nil),
    BenchRow(
      name: "  max Ce median/p95/max (ng/mL)",
      value:
        "\(f(s.maxEffectSite.median)) / \(f(s.maxEffectSite.p95)) / \(f(s.maxEffectSite.max))",
      goal: "-", met: nil),
    BenchRow(
      name: "  patients stopped by the interlock, stops; demand/grant; pass/fail",
      value:
        "\(s.patientsStopped), \(s.interlockStops); \(s.demandPerGrant.map(f) ?? "-"); \(s.pass)/\(s.fail)",
      goal: "-", met: nil),
  ]
}
