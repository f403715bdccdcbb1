#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): the one seeded generator of the test tooling — the
/// noise relay's faults, property tests, generated keys and nonces in tests. Same seed, same
/// sequence, on every platform, so every campaign is reproducible from its seed.
///
/// (PumpReplay's `SplitMix64` is product code: a trace's `seed:` drives its vitals jitter.)
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1) with 53 bits.
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

  /// Bits to skip before the next error at bit-error rate `p` (geometric distribution), or
  /// `Int.max` for `p == 0`.
  public mutating func bitsUntilError(rate p: Double) -> Int {
    guard p > 0 else { return .max }
    let u = max(unit(), 0x1.0p-60)
    let skip = (log1p(-u) / log1p(-p)).rounded(.down)
    return skip >= Double(Int.max / 2) ? Int.max / 2 : Int(skip)
  }
}
