import SerialTransport
import Testing

@Suite struct PacerTests {
  @Test(
    "REQ-SERIAL-PACE-01: the pacer allows baud/bits-per-byte bytes per second (8N1: 115200 → 11,520 B/s), capped by its burst"
  )
  func rate() {
    let t0: UInt64 = 1_000_000_000
    var p = Pacer(baud: 115_200, burstBytes: 100_000, initialBytes: 0)
    #expect(p.bytesPerSecond == 11_520)
    #expect(p.available(now: t0) == 0)
    #expect(p.available(now: t0 + 1_000_000_000) == 11_520)
    p.consume(11_520)
    #expect(p.available(now: t0 + 1_000_000_000) == 0)
    #expect(p.delay(now: t0 + 1_000_000_000) == 86_806)  // 10 bits / 115200 bit/s, rounded up
    #expect(p.available(now: t0 + 1_000_086_806) == 1)
    // 8E1 = 11 bits per byte.
    var e = Pacer(baud: 115_200, bitsPerByte: 11, burstBytes: 100_000, initialBytes: 0)
    _ = e.available(now: t0)
    #expect(e.available(now: t0 + 1_000_000_000) == 10_472)
    // A long idle period never exceeds the burst (and does not overflow).
    var idle = Pacer(baud: 115_200)
    #expect(idle.burstBytes == 230)  // 20 ms of line time
    _ = idle.available(now: 0)
    #expect(idle.available(now: UInt64.max / 2) == 230)
    // Partial consumption then exact accrual, no drift over many small steps.
    var steps = Pacer(baud: 9600, burstBytes: 10_000, initialBytes: 0)
    var total = 0
    var now = t0
    _ = steps.available(now: now)
    for _ in 0..<1000 {
      now += 1_000_000
      let n = steps.available(now: now)
      steps.consume(n)
      total += n
    }
    #expect(total == 960)  // one second at 960 B/s
  }
}
