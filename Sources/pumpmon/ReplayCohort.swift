import ArgumentParser
import Foundation
import PumpConfig
import PumpReplay
import PumpTrace

/// `pumpmon replay --cohort N [--cohort-seed S] TRACE`: one patient trace, offline, across a
/// seeded cohort on all cores (`CohortReplay`), summed up as a table or one JSON object.
extension Replay {
  func runCohort(_ config: PumpConfig.Configuration) throws {
    func refuse(_ message: String) -> ExitCode {
      FileHandle.standardError.write(Data("pumpmon replay: \(message)\n".utf8))
      return ExitCode(2)
    }
    guard let n = cohort else { throw refuse("--cohort-seed needs --cohort N") }
    guard n >= 1, n <= CohortReplay.maxCount else {
      throw refuse(CohortReplay.Refusal.count(n).description)
    }
    if online.port != nil || online.spawnPumpsim { throw refuse("--cohort replays offline only") }
    if junit != nil || observations {
      throw refuse("--cohort prints the cohort's figures; --junit and --observations are per trace")
    }
    let paths: [String]
    do { paths = try ReplayBatch.collect(traces) } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      throw ExitCode(2)
    }
    guard paths.count == 1 else {
      throw refuse("--cohort takes exactly one trace file, found \(paths.count)")
    }
    let trace: Trace
    let setup: TraceSetup
    do {
      trace = try ReplayBatch.load(paths[0])
      setup = try TraceSetup.bind(trace, to: config)
    } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      throw ExitCode(2)
    }
    let seed = cohortSeed ?? setup.patient?.seed ?? 0
    let members: [CohortReplay.Member]
    do {
      members = try CohortReplay.run(
        trace, setup: setup, count: n, seed: seed,
        threads: ProcessInfo.processInfo.activeProcessorCount)
    } catch {
      throw refuse(error.description)
    }
    let summary = CohortSummary(members, seed: seed)
    if json {
      print(summary.json)
    } else {
      print("\(trace.file) (\(setup.patient?.profile.id ?? "-"))")
      print(summary.table, terminator: "")
    }
    if let report {
      let one = OfflineReplay.run(
        trace, setup: CohortReplay.memberSetup(setup, seed: seed, index: 0), keepLog: true)
      try HTMLReport.html([one]).write(toFile: report, atomically: true, encoding: .utf8)
    }
  }
}
