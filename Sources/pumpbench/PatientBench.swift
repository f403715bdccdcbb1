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

/// What one course ended with.
private struct CourseResult: Sendable {
  var delivered: Int64 = 0
  var demands: Int64 = 0
  var grants: Int64 = 0
  var interlocked = false
}

/// One 24-h course of `individual` on the 60 mL syringe pump, 1-s grid.
private func course(
  _ individual: VirtualPatient, seed: UInt64, monitor: MonitorSettings,
  config: PumpConfig.Configuration, model: PumpModel
) throws -> CourseResult {
  var loop = try ClosedLoop.started(
    profile: model.profile, formulary: config.formulary, prescription: wardPrescription,
    patient: Patient(individual, monitor: monitor, seed: seed))
  loop.run(until: .hours(24))
  let s = loop.rig.controller.status
  return CourseResult(
    delivered: loop.handedOver, demands: s.bolusDemands, grants: s.bolusGrants,
    interlocked: loop.firstInterlockStop != nil)
}

/// Results of the cohort's workers, gathered under a lock.
private final class Collected: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var items: [CourseResult] = []
  func add(_ more: [CourseResult]) {
    lock.lock()
    items += more
    lock.unlock()
  }
}

private func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU time of the whole process (every thread), seconds.
private func processCPU() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `pumpbench patient [profiles-dir] [--cohort N]`: the median wall time of a 24-h closed-loop
/// course (adult 70 kg, clean monitor, 7 runs), the patient alone on the same grid, and a cohort
/// of N (default 1,000) adults with variability and monitor spikes, spread over every core.
func runPatientBench(_ args: [String]) throws -> [BenchRow] {
  var args = args
  var count = 1000
  if let i = args.firstIndex(of: "--cohort"), i + 1 < args.count, let n = Int(args[i + 1]) {
    count = n
    args.removeSubrange(i...(i + 1))
  }
  let dir = args.first { !$0.hasPrefix("--") } ?? "HardwareProfiles"
  let config = try PumpConfig.loadDirectory(dir)
  guard let model = config.model(id: "syringe-pca-60ml") else { throw PatientBenchError.noModel }
  let adult =
    (try? PumpConfig.loadPatient(path: "\(dir)/patients/adult-70kg.yaml"))
    ?? PatientProfile.adult70kg

  var times: [Double] = []
  var single = CourseResult()
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

  let cores = max(ProcessInfo.processInfo.activeProcessorCount, 1)
  let members = adult.cohort(count: count, seed: 2026)
  // Default spikes, no lead-off dropouts: a dropout longer than stale_after stops nearly every
  // course through the interlock (docs/PATIENT.md), which would measure a stopped pump.
  let cohortMonitor = MonitorSettings(dropoutsPerHour: 0)
  let collected = Collected()
  let n = count
  let t0 = now()
  let cpu0 = processCPU()
  DispatchQueue.concurrentPerform(iterations: cores) { worker in
    var mine: [CourseResult] = []
    for i in stride(from: worker, to: n, by: cores) {
      let seed = PatientProfile.memberSeed(2026, i)
      mine.append(
        (try? course(
          members[i], seed: seed, monitor: cohortMonitor, config: config, model: model))
          ?? CourseResult())
    }
    collected.add(mine)
  }
  let cohortSeconds = now() - t0
  let cohortCPU = processCPU() - cpu0
  let results = collected.items
  let demands = results.reduce(0) { $0 + $1.demands }
  let grants = results.reduce(0) { $0 + $1.grants }
  let interlocks = results.filter(\.interlocked).count
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
      value: "\(single.delivered / 1000) mg, \(single.demands)/\(single.grants)", goal: "-",
      met: nil),
    BenchRow(
      name: "cohort of \(count) × 24 h on \(cores) cores", value: format1(cohortSeconds) + " s",
      goal: count == 1000 ? "≤ 60 s" : "-", met: count == 1000 ? cohortSeconds <= 60 : nil),
    BenchRow(
      name: "  cohort CPU time (all threads); wall if every core were free",
      value: format1(cohortCPU) + " s; " + format1(cohortCPU / Double(cores)) + " s",
      goal: "-", met: nil),
    BenchRow(
      name: "  cohort: mean delivered, demand/grant ratio, interlock stops",
      value:
        "\(count > 0 ? delivered / Int64(count) / 1000 : 0) mg, "
        + "\(format1(Double(demands) / Double(max(grants, 1)))), \(interlocks)/\(count)",
      goal: "-", met: nil),
  ]
}
