import KetaPumpTestSupport
import PumpCore
import Testing

@testable import PumpTrace

/// The log keeps delivered samples apart, as the delivered curve (16 bytes a point, a sample
/// at the time of the one before replacing it): what it gives back must be what was appended,
/// in the same order, and its curve the one `Timeline` built from the records before.
@Suite struct ObservationLogTests {
  @Test("REQ-TRACE-CHECK-01: the log's records are the observations appended, in order")
  func recordsInOrder() {
    var rng = SplitMix64(seed: 1_402)
    var samples = 0
    var others = 0
    var replaced = 0
    var wentBack = 0
    for round in 0..<300 {
      var log = ObservationLog()
      if round % 2 == 0 { log.reserveCapacity(Int(rng.next() % 500)) }
      var plain: [Observation] = []
      var t: Int64 = 0
      for _ in 0..<Int(rng.next() % 1_000) {
        t += Int64(rng.next() % 3) * 500 - (round % 7 == 0 ? 400 : 0)
        let e: ObservedEvent =
          switch rng.next() % 8 {
          case 0: .motor(MicrolitersPerHour(Int64(rng.next() % 5_000)))
          case 1: .command(line: Int(rng.next() % 99), rejection: nil)
          case 2: .power(on: rng.next() % 2 == 0)
          case 3: .logged(.motor)
          default: .delivered(Micrograms(Int64(rng.next() % 100_000)))
          }
        if case .delivered = e {
          samples += 1
          if let p = plain.last(where: { if case .delivered = $0.event { true } else { false } }) {
            if p.time.rawValue == t { replaced += 1 }
            if p.time.rawValue > t { wentBack += 1 }
          }
        } else {
          others += 1
        }
        log.append(e, at: Milliseconds(t))
        plain.append(Observation(time: Milliseconds(t), event: e))
      }
      #expect(log.records == plain, "round \(round)")
      let rest = plain.filter {
        if case .delivered = $0.event { return false }
        return true
      }
      #expect(log.others == rest, "round \(round)")
      let tl = Timeline(log)
      #expect(tl.others == rest, "round \(round)")
      // The curve as `Timeline` built it from the records before (shared from the log now).
      let ref = ReferenceWindows(records: plain)
      #expect(tl.deliveredTimes == ref.deliveredTimes, "round \(round)")
      #expect(tl.deliveredValues == ref.deliveredValues, "round \(round)")
      for length in [Int64(500), 1_000, 1_500, 60_000] {
        let upTo = t + 1_000
        let (a, b) = (tl.maxWindow(length, upTo: upTo), ref.maxWindow(length, upTo: upTo))
        #expect(a.0 == b.0 && a.end == b.end, "round \(round), window \(length)")
      }
    }
    #expect(samples > 50_000 && others > 30_000)
    // Samples at the time of the one before (replaced in the curve) and times going back.
    #expect(replaced > 10_000 && wentBack > 1_000, "\(replaced) replaced, \(wentBack) back")
  }
}
