// The `fleet` suite: `pumpsim fleet --count N` idle (no host attached), measured from outside:
// CPU share of one core, RSS and PSS per pump, and every pump answering STATUS.
import Foundation
import PumpHost
import PumpProtocol

/// `pumpbench fleet [--quick] [--count N]...`: idle fleets of 1,000 pumps (and 4,000
/// without --quick), or the `--count`s given; a size past the free pseudo-terminals is reported
/// as skipped.
func runFleetBench(_ args: [String]) throws -> [BenchRow] {
  let quick = args.contains("--quick")
  var sizes: [Int] = []
  for (i, a) in args.enumerated() where a == "--count" && i + 1 < args.count {
    if let n = Int(args[i + 1]) { sizes.append(n) }
  }
  if sizes.isEmpty { sizes = quick ? [1000] : [1000, 4000] }
  let dir = NSTemporaryDirectory() + "ketapump-bench-fleet-\(getpid())"
  try? FileManager.default.removeItem(atPath: dir)
  defer { try? FileManager.default.removeItem(atPath: dir) }
  var rows: [BenchRow] = []
  for n in sizes { rows += try fleetRows(count: n, dir: dir, seconds: quick ? 5 : 20) }
  return rows
}

/// Ptys free now (`kernel.pty.max` − `kernel.pty.nr`), nil if unreadable.
private func freePtys() -> Int? {
  func read(_ name: String) -> Int? {
    (try? String(contentsOfFile: "/proc/sys/kernel/pty/\(name)", encoding: .utf8))
      .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }
  guard let max = read("max"), let nr = read("nr") else { return nil }
  return max - nr
}

/// One idle fleet of `count` pumps: CPU over `seconds` after a settling second, RSS and PSS per
/// pump, then STATUS from every pump (observer, no login) with the slowest answer.
func fleetRows(count: Int, dir: String, seconds: Double) throws -> [BenchRow] {
  if let free = freePtys(), count > free - 8 {
    return [
      BenchRow(
        name: "fleet of \(count) pumps", value: "skipped: only \(free) ptys free (kernel.pty)",
        goal: "-", met: nil)
    ]
  }
  let run = "\(dir)/fleet-run-\(count)"
  let t0 = Date()
  let fleet = try Sim([
    "fleet", "--count", "\(count)", "--key-dir", "\(dir)/fleet-keys", "--run-dir", run,
    "--state-root", "\(dir)/fleet-state-\(count)", "--log-level", "error",
  ])
  let startup = Date().timeIntervalSince(t0)
  Thread.sleep(forTimeInterval: 1)
  let m = fleet.measure(seconds: seconds)
  let pss = fleet.pss()
  // Hosts on 16 threads query 16 pumps at a time: a port without its own inotify instance (past the per-user
  // limit, 128) notices a host only at its 250 ms re-check.
  final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var answered = 0
    var slowest = 0.0
  }
  let tally = Tally()
  let s0 = Date()
  let lanes = DispatchGroup()
  for lane in 0..<16 {
    lanes.enter()
    Thread.detachNewThread {
      defer { lanes.leave() }
      for i in stride(from: lane + 1, through: count, by: 16) {
        let tag = String(repeating: "0", count: max(0, 4 - String(i).count)) + String(i)
        let a = Date()
        guard let c = try? PumpClient.open(path: "\(run)/fleet-\(tag)") else { continue }
        var ok = false
        if (try? c.hello()) != nil, case .ack(.status)? = try? c.request(.status).result {
          ok = true
        }
        c.close()
        let took = Date().timeIntervalSince(a)
        tally.lock.lock()
        if ok { tally.answered += 1 }
        tally.slowest = max(tally.slowest, took)
        tally.lock.unlock()
      }
    }
  }
  lanes.wait()
  let statusSeconds = Date().timeIntervalSince(s0)
  let (answered, slowest) = (tally.answered, tally.slowest)
  fleet.stop()
  return [
    BenchRow(
      name: "fleet of \(count) idle pumps: CPU (one core), RSS, RSS / PSS per pump",
      value:
        "\(format1(m.percent)) %, \(m.rssKB / 1024) MB, \(format1(Double(m.rssKB) / Double(count))) / \(format1(Double(pss) / Double(count))) kB (start-up \(format1(startup)) s)",
      goal: count >= 500 ? "< 90 % of one core (100 % = the single loop saturated)" : "-",
      met: count >= 500 ? m.percent < 90 : nil),
    BenchRow(
      name: "fleet of \(count) idle pumps: STATUS from every pump",
      value:
        "\(answered) / \(count) answered in \(format1(statusSeconds)) s (slowest \(format1(slowest * 1000)) ms)",
      goal: "all answer", met: answered == count),
  ]
}
