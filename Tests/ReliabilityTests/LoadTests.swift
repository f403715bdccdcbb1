import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

extension Reliability {
  /// Issue #7 "load": one pump (`pumpsim run --ports 6`), four observers hammering framed STATUS
  /// queries and console `status` lines on ports 2–5, a vitals monitor on port 6 (1 Hz, so the
  /// vitals never go stale), and a clinician on port 1 programming, starting, pausing, resuming,
  /// lowering the rate and stopping in a loop. Figures: the clinician's command latency p50/p99,
  /// query throughput, and the loop's late ticks, watchdog trips and longest gap (goal: 0 late
  /// ticks). Timing figures are reported, not asserted (a shared 2-core machine); correctness is
  /// asserted: every command answered, no watchdog trip, therapy state as commanded.
  /// `KETAPUMP_LOAD_SECONDS` sets the duration (default 10).
  @Suite("Reliability: load", .serialized)
  struct LoadTests {
    @Test(
      "REQ-REL-LOAD-01: 4 hosts hammering read-only queries while a clinician programs the pump: every command answered, no watchdog trip; latency p50/p99, throughput and tick overruns reported",
      .timeLimit(.minutes(2)))
    func hammer() throws {
      let seconds = Int64(environmentInt("KETAPUMP_LOAD_SECONDS", 10))
      let keys = try Keys(deviceId: "KP-REL-LOAD")
      let sim = try PumpSim(
        keys: keys, ["--log-level", "error", "--telemetry-hz", "0", "--ports", "6"])
      let ports = sim.ports
      try #require(ports.count == 6)
      let results = LoadResults()
      let end = nowMs() + seconds * 1000
      var threads: [DispatchSemaphore] = []
      for i in 1...4 {
        let path = ports[i]
        threads.append(
          results.spawn { Self.queries(path: path, console: i % 2 == 0, until: end, into: results) }
        )
      }
      let vitalsKey = try keys.key(.vitals)
      let vitalsPath = ports[5]
      threads.append(
        results.spawn {
          do {
            let c = try PumpClient.open(path: vitalsPath, key: vitalsKey)
            try c.hello()
            try c.login()
            while nowMs() < end + 500 {
              try c.request(.vitals(calmVitals))
              results.vitalsSent()
              try c.run(forMs: 1000)
            }
            c.close()
          } catch { results.fail("vitals feed: \(error)") }
        })
      // The first vitals are in (or the feed failed) before the clinician starts.
      #expect(
        poll(
          until: { results.snapshot().vitals > 0 || !results.snapshot().failures.isEmpty },
          timeout: 10), "no vitals within 10 s")

      // The clinician, on this thread.
      var latencies: [Double] = []
      var naks: [String: Int] = [:]
      var uncertain = 0
      var cycles = 0
      let c = try PumpClient.open(path: ports[0], key: try keys.key(.clinician))
      try c.hello()
      try c.login()
      var rate: Int64 = 5000
      func timed(_ r: HostRequest) throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        do { try c.request(r) } catch {
          switch error {
          case .nak(_, let n): naks["\(r.kind.rawValue) \(n.code.name)", default: 0] += 1
          case .uncertain: uncertain += 1
          default: throw error
          }
        }
        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
      }
      try timed(.program(wardRx))
      try timed(.start)
      while nowMs() < end {
        try timed(.pause)
        try timed(.resume)
        rate = max(rate - 10, 1000)
        try timed(.changeBasalRate(MicrogramsPerHour(rate)))
        try timed(.status)
        cycles += 1
        if cycles % 10 == 0 {
          // A new therapy at the rate last in force: going back up to the prescription's rate
          // inside the hour would be a rate increase, refused (REQ-RX-RATE-INCREASE-03).
          var rx = wardRx
          rx.basalRate = MicrogramsPerHour(rate)
          try timed(.stop)
          try timed(.program(rx))
          try timed(.start)
        }
      }
      guard case .ack(.status(let final)) = try c.request(.status).result else {
        throw TestFailure("no final status")
      }
      c.close()
      for t in threads { t.wait() }
      let figures = try sim.stopWithFigures()

      latencies.sort()
      func pct(_ p: Double) -> Double {
        latencies[min(Int(Double(latencies.count) * p), latencies.count - 1)]
      }
      let q = results.snapshot()
      print(
        String(
          format:
            "load (%lld s, 4 query hosts + clinician + vitals, 2-core machine): clinician %d commands, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d uncertain, NAKs %@; queries %d answered (%.0f/s), %d failed, query p99 %.2f ms; loop: %@",
          seconds, latencies.count, pct(0.5), pct(0.99), latencies.last ?? 0, uncertain,
          "\(naks.sorted { $0.key < $1.key })", q.answered, Double(q.answered) / Double(seconds),
          q.failures.count, q.p99, figures.description))
      #expect(q.failures.isEmpty, "\(q.failures.prefix(5))")
      #expect(uncertain == 0)
      #expect(naks.isEmpty, "\(naks)")
      #expect(final.mode == .infusing(.basal))
      #expect(q.answered > 100)
      #expect(figures.watchdogTrips == 0)
      #expect(figures.exitStatus == 0)
    }

    /// One observer: framed STATUS (or console `status` lines) as fast as answered until `end`.
    static func queries(path: String, console: Bool, until end: Int64, into results: LoadResults) {
      do {
        if console {
          let raw = try RawLine(path: path)
          var count = 0
          while nowMs() < end {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let before = raw.consoleLines.filter { $0.hasPrefix("STATUS") }.count
            try raw.write(Array("status\r\n".utf8))
            let deadline = nowMs() + 1000
            while raw.consoleLines.filter({ $0.hasPrefix("STATUS") }).count == before {
              guard nowMs() < deadline else { throw TestFailure("console status unanswered") }
              raw.read(forMs: 2)
            }
            results.answered(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            count += 1
            if count % 200 == 0 { raw.clear() }
          }
        } else {
          let c = try PumpClient.open(path: path)
          try c.hello()
          while nowMs() < end {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try c.request(.status)
            results.answered(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
          }
          c.close()
        }
      } catch { results.fail("\(path): \(error)") }
    }
  }
}

/// Figures collected by the load test's threads.
final class LoadResults: @unchecked Sendable {
  private let lock = NSLock()
  private var latencies: [Double] = []
  private(set) var failures: [String] = []
  private var vitals = 0

  func answered(_ ms: Double) { lock.withLock { latencies.append(ms) } }
  func fail(_ why: String) { lock.withLock { failures.append(why) } }
  func vitalsSent() { lock.withLock { vitals += 1 } }

  func snapshot() -> (answered: Int, p99: Double, failures: [String], vitals: Int) {
    lock.withLock {
      let s = latencies.sorted()
      return (
        s.count, s.isEmpty ? 0 : s[min(Int(Double(s.count) * 0.99), s.count - 1)], failures,
        vitals
      )
    }
  }

  /// Runs `body` on a new thread; the semaphore is signalled when it returns.
  func spawn(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    Thread {
      body()
      done.signal()
    }.start()
    return done
  }
}
