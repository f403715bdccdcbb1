import KetaPumpTestSupport
import PumpCore
import PumpPatient
import PumpReplay
import PumpTrace
import Testing

/// A patient value judged over a span (`within`, `throughout`, `never`) online: offline logs the
/// patient at every grid second, so online reads it at every grid second of the span too
/// (docs/TRACES.md, "Patient values between instants"), and both give the same verdicts.
@Suite("Online patient values between instants", .serialized)
struct OnlinePatientSpanTests {
  /// A 2-mg clinician bolus at 1 min: pain (NRS 7.6 at 1 min, 6.7 at 4 min) dips to 5.5 near
  /// 2 min 20 s, between the sample instants (1 min, 4 min). Each claim's verdict turns on
  /// that dip, which only the seconds in between show.
  static let text = OnlinePatientTests.text.replacingOccurrences(
    of: "5min expect delivered ≥ 0.3 mg total\n10min expect delivered ≥ 0.7 mg total\n",
    with: """
      1min b: clinician-bolus 2 mg
      1min expect value pain < 6 within 3min
      1min expect value pain < 5 within 3min
      1min expect value pain < 6 within 3min of b
      1min expect value pain > 6 throughout for 3min
      1min expect value pain > 5 throughout for 3min
      1min expect value pain < 6 never for 3min
      1min expect value pain < 5 never for 3min

      """)

  @Test(
    "REQ-PROTO-PATIENT-06: a patient value whose verdict turns on a dip between sample instants (within passes only by it, throughout and never fail only by it) gets the offline verdict online, and online reads the patient at every grid second of each span"
  )
  func dipBetweenInstants() throws {
    let (trace, setup) = try OnlinePatientTests.bound(Self.text)
    let off = ReplayBatch.run([(trace, setup)], keepLogs: true)[0]
    let on = OnlineReplay.run(
      trace, setup: setup,
      target: .spawn(pumpsim: OnlinePatientTests.pumpsim, profiles: OnlinePatientTests.profiles),
      keepLog: true)
    #expect(on.error == nil, "\(on.error ?? "")")
    let expected = [true, false, true, false, true, false, true]
    #expect(off.expectations.map(\.passed) == expected, "\(SummaryReport.details(off))")
    #expect(on.expectations.map(\.passed) == expected, "\(SummaryReport.details(on))")
    let why = OnlineAgreementTests.patientDisagreement(on, off)
    #expect(why == nil, "\(why ?? "")")
    // Every grid second of every span is read online, at its own time.
    let spans = OnlineDriver.patientSpans(trace)
    #expect(spans.map { [$0.from.rawValue, $0.to.rawValue] } == [[60_000, 240_000]])
    let unread = OnlineAgreementTests.unreadPatientSeconds(on, trace)
    #expect(unread == nil, "\(unread ?? "")")
    // Never out of order: the log stays in time order with the readouts between samples.
    let records = on.log?.records ?? []
    let back = zip(records, records.dropFirst()).first { $0.time > $1.time }
    #expect(
      back == nil,
      "\(back.map { ObservationLog.describe($0.0) + " then " + ObservationLog.describe($0.1) } ?? "")"
    )
  }

  @Test(
    "REQ-PROTO-PATIENT-06: the spans online reads the patient over are those of the patient-value claims (within of the line or of its label, throughout and never, open ones to the end, a window from an observation to the end), merged; an `at` claim, a pump value and a trace without such claims need none"
  )
  func spans() throws {
    func spans(_ body: String) throws -> [[Int64]] {
      let (trace, _) = try OnlinePatientTests.bound(
        OnlinePatientTests.text.replacingOccurrences(
          of: "5min expect delivered ≥ 0.3 mg total\n10min expect delivered ≥ 0.7 mg total\n",
          with: body))
      return OnlineDriver.patientSpans(trace).map { [$0.from.rawValue, $0.to.rawValue] }
    }
    #expect(try spans("10min expect delivered ≥ 0.7 mg total\n") == [])
    #expect(
      try spans(
        "1min expect value pain < 6 at 2min\n1min expect value reservoir ≥ 10 mL throughout for 5min\n2h expect mode infusing\n"
      ) == [])
    #expect(
      try spans(
        """
        1min expect value pain < 6 within 2min
        2min expect value plasma-concentration ≤ 600 ng/mL throughout for 5min
        10min b: press
        20min expect value pain < 6 within 30s of b
        30min expect value effect-concentration ≥ 1 ng/mL never [40min, 50min]
        1h expect value pain < 9 throughout
        2h expect mode infusing

        """) == [
          [60_000, 420_000], [600_000, 630_000], [2_400_000, 3_000_000], [3_600_000, 7_200_000],
        ])
    #expect(
      try spans(
        "1min press\n2min expect value pain < 6 within 1min of bolus granted\n3h expect mode infusing\n"
      )
        == [[120_000, 10_800_000]])
  }

  @Test(
    "REQ-PROTO-PATIENT-06: over random sets of patient-value claims the spans are ascending and disjoint, cover every claim's window, and reach no instant outside all windows"
  )
  func spansInvariants() throws {
    var rng = SplitMix64(seed: 0x5_0A7)
    for _ in 0..<200 {
      // Claims at ascending whole seconds: (line time, window) in seconds.
      var t: Int64 = 0
      var lines: [String] = []
      var windows: [(Int64, Int64)] = []
      for _ in 0..<Int.random(in: 1...6, using: &rng) {
        t += Int64.random(in: 0...600, using: &rng)
        let w = Int64.random(in: 0...900, using: &rng)
        let name = [
          "pain < 6", "plasma-concentration ≤ 600 ng/mL", "effect-concentration ≥ 1 ng/mL",
        ]
        .randomElement(using: &rng)!
        switch Int.random(in: 0...3, using: &rng) {
        case 0:
          lines.append("\(t)s expect value \(name) within \(w)s")
          windows.append((t, t + w))
        case 1:
          lines.append("\(t)s expect value \(name) throughout for \(w)s")
          windows.append((t, t + w))
        case 2:
          lines.append("\(t)s expect value \(name) never [\(t + w)s, \(t + 2 * w)s]")
          windows.append((t + w, t + 2 * w))
        default:
          lines.append("\(t)s expect value \(name) at \(t + w)s")  // read at its instant
        }
      }
      let (trace, _) = try OnlinePatientTests.bound(
        OnlinePatientTests.text.replacingOccurrences(
          of: "5min expect delivered ≥ 0.3 mg total\n10min expect delivered ≥ 0.7 mg total\n",
          with: lines.joined(separator: "\n") + "\n"))
      let spans = OnlineDriver.patientSpans(trace).map { ($0.from.rawValue, $0.to.rawValue) }
      let ms = windows.map { ($0.0 * 1000, $0.1 * 1000) }
      let text = lines.joined(separator: "; ")
      #expect(spans.allSatisfy { $0.0 <= $0.1 }, "\(text)")
      #expect(zip(spans, spans.dropFirst()).allSatisfy { $0.1 < $1.0 }, "\(text)")
      for w in ms {
        #expect(spans.contains { $0.0 <= w.0 && w.1 <= $0.1 }, "\(w) not covered: \(text)")
      }
      for s in spans {
        #expect(ms.contains { $0.0 == s.0 } && ms.contains { $0.1 == s.1 }, "\(s): \(text)")
        #expect(
          ms.filter { $0.0 <= s.1 && s.0 <= $0.1 }.reduce(Int64.max) { min($0, $1.0) } == s.0,
          "\(s): \(text)")
      }
    }
  }
}
