// Elementary functions for the patient model without Foundation: the standard library has
// `squareRoot()` but no `exp`, `log` or `pow`. Accurate to a few ulp over the ranges the model
// uses (tests compare them with the C library).

/// `exp`, `log` and `pow` in pure Swift.
public enum PatientMath {
  private static let ln2Hi = 6.931_471_803_691_238_164_90e-01
  private static let ln2Lo = 1.908_214_929_270_587_700_02e-10
  private static let ln2 = 0.693_147_180_559_945_309_417_232_121_458

  /// e^x. Range reduction x = k·ln 2 + r with |r| ≤ ln 2 / 2, then a degree-14 Taylor
  /// polynomial in Horner form (truncation < 1e-18 relative), then scaling by 2^k.
  public static func exp(_ x: Double) -> Double {
    if x.isNaN { return x }
    if x > 709.782_712_893_384 { return .infinity }
    if x < -745.133_219_101_941_1 { return 0 }
    let k = (x / ln2).rounded()
    let r = (x - k * ln2Hi) - k * ln2Lo
    var p = 1.0
    var i = 14.0
    while i >= 1 {
      p = 1 + p * r / i
      i -= 1
    }
    let e = Int(k)
    // Scale in two halves so that 2^k never overflows or flushes before the product does.
    let half = e / 2
    return p * Double(sign: .plus, exponent: half, significand: 1)
      * Double(sign: .plus, exponent: e - half, significand: 1)
  }

  /// Natural logarithm; nil-free: log(0) = -inf, log(x < 0) = nan.
  /// x = m·2^e with m in [√½, √2), log m = 2·atanh((m−1)/(m+1)) as an odd series.
  public static func log(_ x: Double) -> Double {
    if x.isNaN || x < 0 { return .nan }
    if x == 0 { return -.infinity }
    if x == .infinity { return x }
    var e = Double(x.exponent)
    var m = x.significand
    if m > 1.414_213_562_373_095_1 {
      m /= 2
      e += 1
    }
    let t = (m - 1) / (m + 1)
    let t2 = t * t
    var sum = 0.0
    var n = 25.0
    while n >= 1 {
      sum = 1 / n + t2 * sum
      n -= 2
    }
    return e * ln2 + 2 * t * sum
  }

  /// x^y for x ≥ 0 (0^y = 0 for y > 0, 1 for y = 0).
  public static func pow(_ x: Double, _ y: Double) -> Double {
    if y == 0 { return 1 }
    if x == 0 { return y > 0 ? 0 : .infinity }
    return exp(y * log(x))
  }
}
