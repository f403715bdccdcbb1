/// The exact one-step solution of a mammillary model with an effect site, for an input held
/// constant over the step: the matrix exponential of the augmented linear system
///
///     d/dt [A1 A2 A3 Ce E u] = M · [A1 A2 A3 Ce E u],  u' = 0
///
/// (amounts A in µg, effect-site Ce in ng/mL, E µg eliminated, u the input in µg/min), so
/// `x(t+h) = exp(M·h) · x(t)` with no truncation in time. exp(M·h) is computed once per step
/// length (scaling and squaring of a Taylor series, truncation < 1e-20 per factor) and cached.
struct Propagator: Sendable {
  static let n = 6
  let generator: [Double]
  private var cache: [(minutes: Double, matrix: [Double])] = []
  private var nextSlot = 0

  init(_ p: PKParameters) {
    let n = Self.n
    var m = [Double](repeating: 0, count: n * n)
    func set(_ r: Int, _ c: Int, _ v: Double) { m[r * n + c] = v }
    set(0, 0, -(p.k10 + p.k12 + p.k13))
    set(0, 1, p.k21)
    set(0, 2, p.k31)
    set(0, 5, 1)
    set(1, 0, p.k12)
    set(1, 1, -p.k21)
    set(2, 0, p.k13)
    set(2, 2, -p.k31)
    set(3, 0, p.ke0 / p.v1)
    set(3, 3, -p.ke0)
    set(4, 0, p.k10)
    generator = m
  }

  /// exp(M·minutes), from the cache when this step length was seen before (4 entries).
  mutating func matrix(minutes: Double) -> [Double] {
    for entry in cache where entry.minutes == minutes { return entry.matrix }
    let e = Self.expm(generator, scale: minutes)
    if cache.count < 4 {
      cache.append((minutes, e))
    } else {
      cache[nextSlot] = (minutes, e)
      nextSlot = (nextSlot + 1) % 4
    }
    return e
  }

  /// exp(A·h) for the n×n row-major matrix A.
  static func expm(_ a: [Double], scale h: Double) -> [Double] {
    let n = Self.n
    var norm = 0.0
    for c in 0..<n {
      var s = 0.0
      for r in 0..<n { s += abs(a[r * n + c] * h) }
      norm = max(norm, s)
    }
    var squarings = 0
    var f = h
    while norm > 0.5 {
      norm /= 2
      f /= 2
      squarings += 1
    }
    let x = a.map { $0 * f }
    // Taylor: I + X + X²/2! + … + X^18/18!, ‖X‖₁ ≤ 0.5.
    var result = identity()
    var term = identity()
    for k in 1...18 {
      term = multiply(term, x)
      let inv = 1 / Double(k)
      for i in 0..<(n * n) { term[i] *= inv }
      for i in 0..<(n * n) { result[i] += term[i] }
    }
    for _ in 0..<squarings { result = multiply(result, result) }
    return result
  }

  static func identity() -> [Double] {
    var m = [Double](repeating: 0, count: n * n)
    for i in 0..<n { m[i * n + i] = 1 }
    return m
  }

  static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
    var c = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for k in 0..<n {
        let aik = a[i * n + k]
        if aik == 0 { continue }
        for j in 0..<n { c[i * n + j] += aik * b[k * n + j] }
      }
    }
    return c
  }
}
