import PumpCore
import PumpTrace
import Testing

/// The fast paths of offline replay and parsing (docs/PERFORMANCE.md) give the answers of the
/// plain ones, over seeded random inputs.
@Suite struct ReplayFastPathTests {
  /// A delivered curve with random steps and flat stretches, sampled at random instants
  /// (sometimes twice at one instant, as the drivers do).
  static func randomLog(_ rng: inout SplitMix64) -> ObservationLog {
    var log = ObservationLog()
    var t: Int64 = 0
    var total: Int64 = 0
    for _ in 0..<Int(rng.next() % 300) {
      t += Int64(rng.next() % 5) * Int64(rng.next() % 900_000)
      if rng.next() % 3 != 0 { total += Int64(rng.next() % 2_000) }
      log.append(.delivered(Micrograms(total)), at: Milliseconds(t))
    }
    return log
  }

  @Test("REQ-TRACE-CHECK-01: largest-window amounts found in one sweep equal maxWindow's")
  func windowSweepMatchesDirect() {
    var rng = SplitMix64(seed: 14_014)
    for _ in 0..<200 {
      let log = Self.randomLog(&rng)
      let direct = Timeline(log)
      var swept = Timeline(log)
      let last = direct.deliveredTimes.last ?? 0
      var queries: [(length: Int64, upTo: Int64)] = []
      for _ in 0..<Int(1 + rng.next() % 12) {
        let length = [Int64(60_000), 3_600_000, 14_400_000, 1][Int(rng.next() % 4)]
        let upTo = Int64(rng.next() % UInt64(max(last + 7_200_000, 1))) - 60_000
        queries.append((length, upTo))
      }
      swept.precomputeWindows(queries)
      for q in queries {
        let a = direct.maxWindow(q.length, upTo: q.upTo)
        let b = swept.maxWindow(q.length, upTo: q.upTo)
        #expect(a.0 == b.0 && a.end == b.end, "length \(q.length) up to \(q.upTo)")
      }
    }
  }

  static let header = "profile: syringe-pca-60ml\n"

  /// One vitals word as written: a name in any case, a value with leading zeros or not.
  static func word(_ v: Vital, _ value: Int32, _ rng: inout SplitMix64) -> String {
    let names: [Vital: String] = [.sbp: "SBP", .dbp: "DBP", .hr: "HR", .spo2: "SpO2", .rr: "RR"]
    var name = names[v]!
    if rng.next() % 4 == 0 { name = name.lowercased() }
    let zeros = String(repeating: "0", count: Int(rng.next() % 3))
    return "\(name)=\(zeros)\(value)"
  }

  @Test("REQ-TRACE-FORMAT-01: explicit vitals lines read the same in any spacing, case and order")
  func explicitVitalsLines() throws {
    var rng = SplitMix64(seed: 1_414)
    var text = Self.header
    var want: [VitalsSample] = []
    for k in 0..<500 {
      var sample = VitalsSample()
      var words: [String] = []
      for v in Vital.allCases.shuffled(using: &rng) where rng.next() % 3 != 0 {
        let value = Int32(rng.next() % 1000)
        sample.set(v, value)
        words.append(Self.word(v, value, &rng))
      }
      if words.isEmpty {
        sample.set(.hr, 80)
        words.append("HR=80")
      }
      let gap = [" ", "  ", "\t", " \t "][Int(rng.next() % 4)]
      let end = ["", " ", "\r", " # a comment"][Int(rng.next() % 4)]
      text += "\(k)s\(gap)vitals\(gap)" + words.joined(separator: gap) + end + "\n"
      want.append(sample)
    }
    let trace = try TraceParser.parse(text, file: "fast.trace")
    var got: [VitalsSample] = []
    for s in trace.steps {
      if case .action(.vitals(let v)) = s.kind { got.append(v) }
    }
    #expect(got == want)
  }

  @Test(
    "REQ-TRACE-PARSE-01: a bad explicit vitals word is still reported at its column",
    arguments: [
      ("1s vitals SBP=120 SBP=121", 19), ("1s vitals SBP=1200", 15), ("1s vitals XYZ=12", 11),
      ("1s vitals SBP=12a", 15), ("1s vitals SBP=", 15), ("1s vitals SBP", 11),
      ("1s vitals HR=-", 11),
    ])
  func badVitalsWord(line: String, column: Int) {
    do {
      _ = try TraceParser.parse(Self.header + line + "\n", file: "bad.trace")
      Issue.record("parsed '\(line)'")
    } catch {
      #expect(error.line == 2 && error.column == column, "\(error.message)")
    }
  }
}
