// pumpexplore: the safety explorers of issue 12, in release for speed (Tools/test runs both).
// Built from PumpCore and PumpHardware only (fast release build); the pump is the shipped
// syringe-pca-60ml with drug-library entry 1 (`ExplorationDefaults`, checked against the YAML).
//
//   pumpexplore random [--steps 1000000] [--seed 20261201] [--trace-out FILE]
//   pumpexplore exhaustive [--depth 7 (Tools/test: 12)]
//
// Exit 0: no invariant violated; 1: a violation (random: the shrunk counterexample is printed
// as a trace, and written to --trace-out); 64: bad usage.
import PumpCore
import PumpHardware

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

func seconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func option(_ name: String, _ args: [String]) -> String? {
  guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
  return args[i + 1]
}

func fail(_ message: String) -> Never {
  print("pumpexplore: \(message)")
  exit(64)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let mode = args.first, mode == "random" || mode == "exhaustive" else {
  fail(
    "usage: pumpexplore random [--steps N] [--seed S] [--trace-out FILE] | exhaustive [--depth D]")
}
let profile = ExplorationDefaults.profile
let formulary = ExplorationDefaults.formulary
let rx = ExplorationDefaults.prescription

if mode == "random" {
  guard let steps = Int64(option("--steps", args) ?? "1000000"),
    let seed = UInt64(option("--seed", args) ?? "20261201")
  else { fail("--steps and --seed take integers") }
  let explorer = RandomExplorer(profile: profile, formulary: formulary, basePrescription: rx)
  let t0 = seconds()
  let s = explorer.explore(steps: steps, firstSeed: seed)
  let dt = seconds() - t0
  print(
    "random: \(s.steps) steps in \(s.sequences) sequences (seeds \(seed)…), \(s.controlSteps) control steps, \(s.checks) invariant checks, \(Int(dt * 1000)) ms, \(Int(Double(s.steps) / max(dt, 1e-9))) steps/s"
  )
  if let f = s.failures.first {
    print("random: VIOLATION \(f.violation) (seed \(f.seed), shrunk to \(f.steps.count) steps)")
    let text = ExplorationTrace.text(
      name: "explore-seed-\(f.seed)", profileID: ExplorationDefaults.profileID,
      prescription: f.prescription, steps: f.steps, violation: f.violation, seed: f.seed)
    print(text)
    if let out = option("--trace-out", args), let fp = fopen(out, "w") {
      fputs(text, fp)
      fclose(fp)
    }
    exit(1)
  }
  print("random: no invariant violated")
} else {
  guard let depth = Int(option("--depth", args) ?? "7") else { fail("--depth takes an integer") }
  let explorer = BoundedExplorer(
    profile: profile, formulary: formulary, prescription: rx, depth: depth)
  let t0 = seconds()
  let r = explorer.explore()
  let dt = seconds() - t0
  print(
    "exhaustive: alphabet \(BoundedExplorer.Symbol.allCases.count) event classes, depth \(depth): \(r.states) abstract states, \(r.transitions) transitions (\(r.revisitsSkipped) revisits skipped), \(Int(dt * 1000)) ms, \(Int(Double(r.transitions) / max(dt, 1e-9))) transitions/s"
  )
  if let v = r.violation {
    print("exhaustive: VIOLATION \(v) after \(r.counterexample)")
    exit(1)
  }
  print("exhaustive: no invariant violated")
}
