// The `patient` suite: the closed loop of PumpPatientLoop (pump rig + ketamine patient) offline.
// One 24-h ward course, and a 1,000-patient cohort of 24-h courses on every core.
import Dispatch
import Foundation
import PumpConfig
import PumpCore
import PumpHardware
import PumpPatient
import PumpPatientLoop

/// The ward prescription of the tests (KetaPumpTestSupport.wardRx).
private let wardPrescription = Prescription(
  drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
  patientWeight: .kilograms(70), basalRate: .milligramsPerHour(5), loadingDose: .zero,
  bolusDose: .milligrams(2), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
  maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
  vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))

private enum PatientBenchError: Error { case noModel }

/// One 24-h course of `individual` on the 60 mL syringe pump, 1-s grid (nil: it did not start).
private func course(
  _ individual: VirtualPatient, seed: UInt64, monitor: MonitorSettings,
  config: PumpConfig.Configuration, model: PumpModel
) throws -> CourseOutcome {
  var loop = try ClosedLoop.started(
    profile: model.profile, formulary: config.formulary, prescription: wardPrescription,
    patient: Patient(individual, monitor: monitor, seed: seed))
  loop.run(until: .hours(24))
  return CourseOutcome(loop)
}

/// FNV-1a over every field of every outcome, in course order (doubles by bit pattern): equal
/// for runs on any number of threads.
private func checksum(_ outcomes: [CourseOutcome?]) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  func mix(_ x: UInt64) {
    for k in 0..<8 {
      h ^= (x >> (8 * UInt64(k))) & 0xff
      h = h &* 0x100_0000_01b3
    }
  }
  for o in outcomes {
    guard let o else {
      mix(UInt64.max)
      continue
    }
    for x in [
      o.delivered, o.demands, o.grants, o.samplesSent, o.firstInterlockStop?.rawValue ?? -1,
    ] {
      mix(UInt64(bitPattern: x))
    }
    let v = o.vitals
    for d in [v.hr, v.sbp, v.dbp, v.spo2, v.rr, v.pain, v.dissociation, v.plasma, v.effectSite] {
      mix(d.bitPattern)
    }
  }
  return h
}

private func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU time of the whole process (every thread), seconds.
private func processCPU() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `pumpbench patient [profiles-dir] [--cohort N] [--threads T]`: the median wall time of a
/// 24-h closed-loop course (adult 70 kg, clean monitor, 7 runs), the patient alone on the same
/// grid, and a cohort of N (default 1,000) adults with variability and monitor spikes, spread
/// over T threads (default: every core). The cohort's checksum is the same for every T.
func runPatientBench(_ args: [String]) throws -> [BenchRow] {
  var args = args
  var count = 1000
  if let i = args.firstIndex(of: "--cohort"), i + 1 < args.count, let n = Int(args[i + 1]) {
    count = n
    args.removeSubrange(i...(i + 1))
  }
  var threads = max(ProcessInfo.processInfo.activeProcessorCount, 1)
  if let i = args.firstIndex(of: "--threads"), i + 1 < args.count, let n = Int(args[i + 1]) {
    threads = max(n, 1)
    args.removeSubrange(i...(i + 1))
  }
  let dir = args.first { !$0.hasPrefix("--") } ?? "HardwareProfiles"
  let config = try PumpConfig.loadDirectory(dir)
  guard let model = config.model(id: "syringe-pca-60ml") else { throw PatientBenchError.noModel }
  let adult =
    (try? PumpConfig.loadPatient(path: "\(dir)/patients/adult-70kg.yaml"))
    ?? PatientProfile.adult70kg

  var times: [Double] = []
  var single: CourseOutcome? = nil
  for _ in 0..<7 {
    let t0 = now()
    single = try course(
      adult.typical, seed: 1, monitor: .clean, config: config, model: model)
    times.append(now() - t0)
  }
  times.sort()
  let median = times[times.count / 2] * 1000

  // The patient alone on the same grid and drug (what the pump side costs is the difference).
  var alone: [Double] = []
  for _ in 0..<7 {
    var p = Patient(adult.typical, monitor: .clean, seed: 1)
    let t0 = now()
    for s in 0..<86_400 {
      _ = p.advance(to: p.now + .seconds(1), delivered: Micrograms(s % 900 < 33 ? 61 : 1))
    }
    alone.append(now() - t0)
  }
  alone.sort()
  let aloneMedian = alone[alone.count / 2] * 1000

  let members = adult.cohort(count: count, seed: 2026)
  // Default spikes, no lead-off dropouts: a dropout longer than stale_after stops nearly every
  // course through the interlock (docs/PATIENT.md), which would measure a stopped pump.
  let cohortMonitor = MonitorSettings(dropoutsPerHour: 0)
  let t0 = now()
  let cpu0 = processCPU()
  // Course i depends only on (2026, i): the same outcomes in the same order on any thread count.
  let outcomes = Cohort.run(count: count, threads: threads) { i in
    try? course(
      members[i], seed: PatientProfile.memberSeed(2026, i), monitor: cohortMonitor,
      config: config, model: model)
  }
  let cohortSeconds = now() - t0
  let cohortCPU = processCPU() - cpu0
  let results = outcomes.compactMap { $0 }
  let demands = results.reduce(0) { $0 + $1.demands }
  let grants = results.reduce(0) { $0 + $1.grants }
  let interlocks = results.filter { $0.firstInterlockStop != nil }.count
  let delivered = results.reduce(0) { $0 + $1.delivered }
  return [
    BenchRow(
      name: "24-h closed loop, adult 70 kg, 1-s grid (median of 7)",
      value: format1(median) + " ms", goal: "≤ 100 ms", met: median <= 100),
    BenchRow(
      name: "  of which the patient alone (86,400 steps)", value: format1(aloneMedian) + " ms",
      goal: "-", met: nil),
    BenchRow(
      name: "  that course: delivered, demands/grants",
      value: single.map { "\($0.delivered / 1000) mg, \($0.demands)/\($0.grants)" } ?? "-",
      goal: "-", met: nil),
    BenchRow(
      name: "cohort of \(count) × 24 h on \(threads) threads", value: format1(cohortSeconds) + " s",
      goal: count == 1000 ? "≤ 60 s" : "-", met: count == 1000 ? cohortSeconds <= 60 : nil),
    BenchRow(
      name: "  cohort CPU time (all threads); wall if every core were free",
      value: format1(cohortCPU) + " s; " + format1(cohortCPU / Double(threads)) + " s",
      goal: "-", met: nil),
    BenchRow(
      name: "  cohort: mean delivered, demand/grant ratio, interlock stops",
      value:
        "\(count > 0 ? delivered / Int64(count) / 1000 : 0) mg, "
        + "\(format1(Double(demands) / Double(max(grants, 1)))), \(interlocks)/\(count)",
      goal: "-", met: nil),
    BenchRow(
      name: "  cohort checksum (same on any thread count), courses that did not start",
      value: String(checksum(outcomes), radix: 16) + ", \(outcomes.count - results.count)",
      goal: "-", met: nil),
  ]
}
