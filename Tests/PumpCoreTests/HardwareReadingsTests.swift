import PumpCore
import Testing

@testable import PumpHardware

/// `SimulatedHardware.readings(into:)` writes the seven readings in place into the caller's
/// array (issue 14, docs/PERFORMANCE.md): the same readings, in the same order, with the same
/// state left behind, as emptying the array and appending them (the implementation before, kept
/// here as the reference), over seeded random hardware histories.
@Suite("Hardware readings")
struct HardwareReadingsTests {
  /// The reference: the readings as they were built before, from the hardware's own state.
  static func reference(_ h: inout SimulatedHardware, into out: inout [SensorReading]) {
    out.removeAll(keepingCapacity: true)
    if h.sensorFailed {
      out.append(.sensorFailure)
      return
    }
    out.append(.motorSteps(h.unreportedSteps))
    h.unreportedSteps = 0
    out.append(.reservoir(h.reservoir))
    out.append(.downstreamPressure(h.downstreamPressure))
    out.append(.upstreamPressure(h.upstreamPressure))
    out.append(.airInLine(h.pendingAir))
    h.pendingAir = .zero
    out.append(.door(open: h.doorOpen))
    out.append(.battery(remaining: h.batteryRemaining, onMains: h.onMains))
  }

  @Test("Random hardware histories: in-place readings equal the appended reference")
  func inPlaceEqualsReference() {
    var inPlace = 0
    for seed in UInt64(1)...40 {
      var rng = SplitMix64(seed: seed)
      var hw = SimulatedHardware(profile: testProfile, now: .zero)
      var t = Milliseconds.zero
      // One array reused across calls, as PumpRig does, and one the reference builds afresh.
      var reused: [SensorReading] = []
      var built: [SensorReading] = []
      for _ in 0..<300 {
        switch rng.next() % 10 {
        case 0: hw.command(MicrolitersPerHour(Int64(rng.next() % 200_000)))
        case 1: hw.injectAir(Microliters(Int64(rng.next() % 500)))
        case 2: hw.doorOpen.toggle()
        case 3: hw.onMains.toggle()
        case 4: hw.downstreamOccluded.toggle()
        case 5: hw.sensorFailed = rng.next() % 4 == 0
        case 6: hw.motorRunaway = rng.next() % 8 == 0
        case 7: hw.loadReservoir(Microliters(Int64(rng.next() % 60_000)))
        default: break
        }
        t = t + Milliseconds(Int64(rng.next() % 5_000))
        hw.advance(to: t)
        var ref = hw
        Self.reference(&ref, into: &built)
        if reused.count == 7 { inPlace += 1 }
        hw.readings(into: &reused)
        #expect(reused == built, "seed \(seed) at \(t)")
        #expect(hw.unreportedSteps == ref.unreportedSteps && hw.pendingAir == ref.pendingAir)
      }
    }
    // The in-place path (an array already holding seven readings) was taken.
    #expect(inPlace > 5_000)
  }
}
