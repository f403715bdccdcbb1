// pumpbench: every KetaPump benchmark in one executable (Tools/bench runs it in release mode).
// Each area registers one entry in `suites`; `pumpbench all` runs them in order and prints one
// table row per figure, with its goal and whether it is met.

struct BenchRow {
  var name: String
  var value: String
  var goal: String
  var met: Bool?
}

struct Suite {
  var name: String
  var run: ([String]) throws -> [BenchRow]
}

let suites: [Suite] = [
  // Add suites here, one per area (core, transport, protocol, firmware, replay).
  Suite(name: "core", run: runCoreBench),
  Suite(name: "transport", run: runTransportBench),
  Suite(name: "protocol", run: runProtocolBench),
  Suite(name: "wire", run: runWireBench),
  Suite(name: "firmware", run: runFirmwareBench),
  Suite(name: "fleet", run: runFleetBench),
  Suite(name: "restore", run: runRestoreBench),
  Suite(name: "replay", run: runReplayBench),
  Suite(name: "online", run: runOnlineBench),
  Suite(name: "patient", run: runPatientBench),
  Suite(name: "patient-trace", run: runPatientTraceBench),
]

func printRows(_ rows: [BenchRow]) {
  for r in rows {
    let verdict = r.met.map { $0 ? "met" : "NOT met" } ?? "-"
    print("| \(r.name) | \(r.value) | \(r.goal) | \(verdict) |")
  }
}

let args = Array(CommandLine.arguments.dropFirst())
let wanted = args.first ?? "all"
print("| figure | value | goal | verdict |")
print("|---|---|---|---|")
for suite in suites where wanted == "all" || wanted == suite.name {
  printRows(try suite.run(Array(args.dropFirst())))
}
