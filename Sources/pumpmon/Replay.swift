import ArgumentParser
import Foundation
import PumpConfig
import PumpReplay
import PumpTrace

/// `pumpmon replay`: replays alarm test traces offline (issue #6, docs/TRACES.md) on the same
/// PumpCore and simulated hardware as pumpsim, in virtual time, or online against pumpsim over
/// the serial line (`--port` or `--spawn-pumpsim`). Exit status: 0 every trace as expected, 1 a
/// verdict failure, 2 bad input (parse errors as file:line:column).
struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replay alarm test traces offline or online and check their expectations.",
    discussion: """
      Each TRACE is a .trace file or a directory searched for them (replayed in parallel \
      offline, one after the other online).
      Online: --port PORT --key FILE replays against a running pumpsim started with \
      --clock virtual and an empty state directory (one trace per fresh pump); \
      --ports-per-role uses PORT, PORT-2, PORT-3, PORT-4 (pumpsim run --ports 4) as service, \
      clinician, patient and vitals. --spawn-pumpsim starts a fresh pumpsim per trace.
      Exit status: 0 every trace as expected, 1 a verdict failure, 2 bad input.
      """)

  @Argument(help: "Trace files or directories of traces.")
  var traces: [String]

  @Option(help: "Write a JUnit XML report to this file.")
  var junit: String?

  @Option(help: "Write a self-contained HTML report with plots to this file.")
  var report: String?

  @Flag(help: "Print one JSON object per trace (JSON Lines) instead of the table.")
  var json = false

  @Flag(help: "Print every observation of each run (trace authoring).")
  var observations = false

  @Option(help: "Directory of hardware profiles, drug library and care areas.")
  var profiles = "HardwareProfiles"

  @Option(
    help: ArgumentHelp(
      "Replay the one TRACE (it must name a patient) across N seeded individuals of its patient file and print the cohort's figures (1…100000).",
      valueName: "N"))
  var cohort: Int?

  @Option(help: "Seed of the cohort (default: the trace's patient seed).")
  var cohortSeed: UInt64?

  @OptionGroup var online: OnlineOptions

  func validate() throws {
    if traces.isEmpty { throw ValidationError("Give at least one trace file or directory.") }
    try online.validate()
  }

  func run() throws {
    let config: PumpConfig.Configuration
    do {
      config = try PumpConfig.loadDirectory(profiles)
    } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      throw ExitCode(2)
    }
    if cohort != nil || cohortSeed != nil { return try runCohort(config) }
    var jobs: [(Trace, TraceSetup)] = []
    var bad: [TraceError] = []
    do {
      for path in try ReplayBatch.collect(traces) {
        do {
          let t = try ReplayBatch.load(path)
          jobs.append((t, try TraceSetup.bind(t, to: config)))
        } catch {
          bad.append(error)
        }
      }
    } catch {
      bad.append(error)
    }
    if !bad.isEmpty {
      for e in bad { FileHandle.standardError.write(Data("\(e)\n".utf8)) }
      throw ExitCode(2)
    }
    let keep = report != nil || observations
    let results: [TraceResult]
    if let target = try online.target(profiles: profiles) {
      results = jobs.map { trace, setup in
        OnlineReplay.run(
          trace, setup: setup, target: target, keepLog: keep,
          maxWireActions: online.maxWireActions)
      }
    } else {
      results = ReplayBatch.run(jobs, keepLogs: keep)
    }
    if observations {
      for r in results {
        print("== \(r.file)")
        // Every record but the delivered samples (`others`: no merge of the whole log).
        for o in r.log?.others ?? [] {
          print(ObservationLog.describe(o))
        }
      }
    }
    if json {
      for r in results { print(JSONReport.line(r)) }
    } else {
      for r in results { print(SummaryReport.details(r), terminator: "") }
      print(SummaryReport.table(results), terminator: "")
    }
    if let junit {
      try JUnitReport.xml(results).write(toFile: junit, atomically: true, encoding: .utf8)
    }
    if let report {
      try HTMLReport.html(results).write(toFile: report, atomically: true, encoding: .utf8)
    }
    let status = ReplayBatch.exitStatus(results)
    if status != 0 { throw ExitCode(status) }
  }
}
