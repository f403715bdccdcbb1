import PumpCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The seeded generator of the test tooling — the noise relay's faults, property tests,
/// generated keys and nonces in tests: PumpCore's `SplitMix64`, the project's one generator.
public typealias SeededGenerator = SplitMix64

extension SplitMix64 {
  /// Bits to skip before the next error at bit-error rate `p` (geometric distribution), or
  /// `Int.max` for `p == 0`.
  public mutating func bitsUntilError(rate p: Double) -> Int {
    guard p > 0 else { return .max }
    let u = max(unit(), 0x1.0p-60)
    let skip = (log1p(-u) / log1p(-p)).rounded(.down)
    return skip >= Double(Int.max / 2) ? Int.max / 2 : Int(skip)
  }
}
