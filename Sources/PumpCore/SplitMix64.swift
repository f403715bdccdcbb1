/// SplitMix64 (Steele, Lea & Flood 2014): the project's one seeded generator. Small, fast, the
/// same sequence on every platform, so every seeded run — a trace's vitals jitter, a virtual
/// patient, the safety explorers, the noise relay, property tests — is reproducible from its
/// seed. PumpCore itself never draws random numbers: randomness is passed in (STYLE.md rule 1).
///
/// `next` is `@inlinable` and `jitter` is emitted into its callers only: offline replay draws
/// five jitters per generated vitals sample, and a call across the module boundary cost more
/// than the draw. (PumpCore never calls `jitter`, so its embedded text loses the body.)
public struct SplitMix64: RandomNumberGenerator, Sendable {
  /// The seed, advanced by every draw.
  public var state: UInt64 { raw }
  @usableFromInline var raw: UInt64

  public init(seed: UInt64) { raw = seed }

  @inlinable public mutating func next() -> UInt64 {
    raw &+= 0x9E37_79B9_7F4A_7C15
    var z = raw
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1), 53 random bits.
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

  /// A uniform integer in -amplitude...amplitude (amplitude ≥ 0).
  @_alwaysEmitIntoClient public mutating func jitter(_ amplitude: Int32) -> Int32 {
    guard amplitude > 0 else { return 0 }
    let span = UInt64(2 * Int64(amplitude) + 1)
    return Int32(Int64(next() % span) - Int64(amplitude))
  }
}
