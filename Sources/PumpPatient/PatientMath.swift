// Elementary functions for the patient model without Foundation: the standard library has
// `squareRoot()` but no `exp`, `log` or `pow`. Accurate to a few ulp over the ranges the model
// uses (tests compare them with the C library).

/// `exp`, `log` and `pow` in pure Swift.
public enum PatientMath {
  private static let ln2Hi = 6.931_471_803_691_238_164_90e-01
  private static let ln2Lo = 1.908_214_929_270_587_700_02e-10
  private static let ln2 = 0.693_147_180_559_945_309_417_232_121_458
  private static let invLn2 = 1.442_695_040_888_963_407_359_924_681_001_9

  /// e^x. Range reduction x = k·ln 2 + r with |r| ≤ ln 2 / 2, then a degree-14 Taylor
  /// polynomial in Horner form (truncation < 1e-18 relative), then scaling by 2^k.
  public static func exp(_ x: Double) -> Double {
    if x.isNaN { return x }
    if x > 709.782_712_893_384 { return .infinity }
    if x < -745.133_219_101_941_1 { return 0 }
    // Nearest integer by truncation (no libm call); |x·log2 e| < 1100 here.
    let y = x * invLn2
    let k = Double(Int(y + (y >= 0 ? 0.5 : -0.5)))
    let r = (x - k * ln2Hi) - k * ln2Lo
    // Horner form of Σ r^i / i!, i ≤ 14 (the reciprocals fold to constants at compile time).
    var p = 1.0 / 87_178_291_200
    p = 1.0 / 6_227_020_800 + r * p
    p = 1.0 / 479_001_600 + r * p
    p = 1.0 / 39_916_800 + r * p
    p = 1.0 / 3_628_800 + r * p
    p = 1.0 / 362_880 + r * p
    p = 1.0 / 40_320 + r * p
    p = 1.0 / 5040 + r * p
    p = 1.0 / 720 + r * p
    p = 1.0 / 120 + r * p
    p = 1.0 / 24 + r * p
    p = 1.0 / 6 + r * p
    p = 0.5 + r * p
    p = 1 + r * p
    p = 1 + r * p
    let e = Int(k)
    // Scale in two halves so that 2^k never overflows or flushes before the product does.
    let half = e / 2
    return p * powerOfTwo(half) * powerOfTwo(e - half)
  }

  /// 2^e for a normal exponent (−1022 ≤ e ≤ 1023), from its bit pattern.
  @inline(__always)
  private static func powerOfTwo(_ e: Int) -> Double {
    Double(bitPattern: UInt64(1023 + e) << 52)
  }

  /// Natural logarithm; nil-free: log(0) = -inf, log(x < 0) = nan.
  /// x = m·2^e with m in [√½, √2), log m = 2·atanh((m−1)/(m+1)) as an odd series.
  public static func log(_ x: Double) -> Double {
    if x.isNaN || x < 0 { return .nan }
    if x == 0 { return -.infinity }
    if x == .infinity { return x }
    var e: Double
    var m: Double
    let bits = x.bitPattern
    let biased = Int((bits >> 52) & 0x7FF)
    if biased == 0 {  // subnormal: the slow, general decomposition
      e = Double(x.exponent)
      m = x.significand
    } else {
      e = Double(biased - 1023)
      m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
    }
    if m > 1.414_213_562_373_095_1 {
      m *= 0.5
      e += 1
    }
    let t = (m - 1) / (m + 1)
    let t2 = t * t
    // Σ t^(2j) / (2j+1), j ≤ 12, in Horner form.
    var sum = 1.0 / 25
    sum = 1.0 / 23 + t2 * sum
    sum = 1.0 / 21 + t2 * sum
    sum = 1.0 / 19 + t2 * sum
    sum = 1.0 / 17 + t2 * sum
    sum = 1.0 / 15 + t2 * sum
    sum = 1.0 / 13 + t2 * sum
    sum = 1.0 / 11 + t2 * sum
    sum = 1.0 / 9 + t2 * sum
    sum = 1.0 / 7 + t2 * sum
    sum = 1.0 / 5 + t2 * sum
    sum = 1.0 / 3 + t2 * sum
    sum = 1 + t2 * sum
    return e * ln2 + 2 * t * sum
  }

  /// x^y for x ≥ 0 (0^y = 0 for y > 0, 1 for y = 0).
  public static func pow(_ x: Double, _ y: Double) -> Double {
    if y == 0 { return 1 }
    if x == 0 { return y > 0 ? 0 : .infinity }
    return exp(y * log(x))
  }
}
