import KetaPumpTestSupport
import PumpHost
import PumpNoise
import Testing

extension Reliability {
  /// The relay's fault engine on its own (no ptys): clean lines are transparent, faults are
  /// reproducible from the seed and occur at the configured rates.
  @Suite("Reliability: noise relay")
  struct NoiseRelayDirectionTests {
    /// `count` CR LF frames of `length` bytes ("$TLM,…").
    static func frames(_ count: Int, length: Int = 50) -> [UInt8] {
      var out: [UInt8] = []
      for i in 0..<count {
        let body = Array("$TLM,\(i),".utf8)
        out += body + Array(repeating: UInt8(ascii: "7"), count: max(length - body.count - 2, 0))
        out += [0x0D, 0x0A]
      }
      return out
    }

    static func run(_ faults: NoiseRelayFaults, seed: UInt64, input: [UInt8]) -> (
      [UInt8], NoiseRelayCounters, writes: [[UInt8]]
    ) {
      var random = SeededGenerator(seed: seed)
      var d = NoiseRelayDirection(faults: faults, random: &random)
      for chunk in stride(from: 0, to: input.count, by: 777) {
        d.receive(
          input[chunk..<min(chunk + 777, input.count)], nowMs: 0, maximumFrame: 1024,
          random: &random)
      }
      d.flushIfIdle(nowMs: 1000, afterMs: 20, random: &random)
      let all = d.output
      var writes: [[UInt8]] = []
      while !d.output.isEmpty {
        let w = Array(d.nextWrite)
        writes.append(w)
        d.wrote(w.count)
      }
      return (all, d.counters, writes)
    }

    @Test(
      "REQ-REL-RELAY-01: a clean relay is transparent; a noisy one is reproducible from its seed")
    func transparentAndReproducible() {
      let input = Self.frames(1000) + Array("tail without line end".utf8)
      let (clean, counters, _) = Self.run(.none, seed: 1, input: input)
      #expect(clean == input)
      #expect(counters.frames == 1001)
      #expect(counters.damaged == 0)
      let a = Self.run(.issue7, seed: 42, input: input)
      let b = Self.run(.issue7, seed: 42, input: input)
      let c = Self.run(.issue7, seed: 43, input: input)
      #expect(a.0 == b.0 && a.1 == b.1 && a.writes == b.writes)
      #expect(a.0 != c.0)
      #expect(a.writes.joined().elementsEqual(a.0))
      #expect(a.writes.count > a.1.frames, "split writes")
    }

    @Test(
      "REQ-REL-RELAY-02: bit errors, drops, duplicates and truncations occur at their configured rates"
    )
    func rates() {
      let n = 20_000
      let input = Self.frames(n)
      let bits = Double(input.count * 8)
      let ber = Self.run(NoiseRelayFaults(bitErrorRate: 1e-3), seed: 7, input: input).1
      let expected = bits * 1e-3
      #expect(abs(Double(ber.bitsFlipped) - expected) < 5 * expected.squareRoot(), "\(ber)")
      let f = NoiseRelayFaults(
        dropProbability: 0.05, duplicateProbability: 0.05, truncateProbability: 0.05)
      let c = Self.run(f, seed: 8, input: input).1
      let mean = 0.05 * Double(n)
      let sigma5 = 5 * (mean * 0.95).squareRoot()
      #expect(abs(Double(c.dropped) - mean) < sigma5, "\(c)")
      // Duplicates and truncations apply to frames not dropped.
      let kept = 0.95 * Double(n) * 0.05
      #expect(abs(Double(c.duplicated) - kept) < sigma5, "\(c)")
      #expect(abs(Double(c.truncated) - kept) < sigma5, "\(c)")
      #expect(c.damaged >= c.dropped)
      #expect(c.damagedByKind["TLM"] == c.damaged)
    }
  }
}
