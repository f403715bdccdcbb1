import PumpCore

/// The patient model's seeded generator: SplitMix64 (Steele, Lea & Flood 2014), with uniform,
/// normal and Bernoulli draws. Every stochastic part of a patient draws from its own stream,
/// so one patient's trajectory depends only on its seed.
public struct PatientRandom: RandomNumberGenerator, Sendable {
  private var bits: SplitMix64
  private var spareNormal: Double? = nil

  public init(seed: UInt64) { bits = SplitMix64(seed: seed) }

  /// The generator's state.
  public var state: UInt64 { bits.state }

  public mutating func next() -> UInt64 { bits.next() }

  /// Uniform in [0, 1), 53 random bits.
  public mutating func uniform() -> Double { bits.unit() }

  /// Standard normal (Marsaglia polar method; the second value is kept for the next call).
  public mutating func normal() -> Double {
    if let s = spareNormal {
      spareNormal = nil
      return s
    }
    while true {
      let u = 2 * uniform() - 1
      let v = 2 * uniform() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        let f = (-2 * PatientMath.log(s) / s).squareRoot()
        spareNormal = v * f
        return u * f
      }
    }
  }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { uniform() < p }

  /// A generator for an independent stream, derived from this seed and a stream number.
  public static func stream(seed: UInt64, _ n: UInt64) -> PatientRandom {
    var g = PatientRandom(seed: seed ^ (n &* 0xD1B5_4A32_D192_ED03))
    return PatientRandom(seed: g.next())
  }
}
