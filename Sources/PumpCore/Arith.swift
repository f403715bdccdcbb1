/// Integer arithmetic with named rounding and 128-bit intermediates, so products of rates, times
/// and concentrations never overflow. Inputs are non-negative in every caller; negative inputs are
/// clamped to zero rather than trapping.
public enum Arith {
  /// ⌊a·b / d⌋ for a, b ≥ 0, d > 0. Saturates at Int64.max.
  @inlinable @inline(__always)
  public static func mulDivFloor(_ a: Int64, _ b: Int64, _ d: Int64) -> Int64 {
    guard a > 0, b > 0, d > 0 else { return 0 }
    let p = UInt64(a).multipliedFullWidth(by: UInt64(b))
    let ud = UInt64(d)
    // A product that fits 64 bits (nearly all): one machine division, not a 128-bit one.
    if p.high == 0 {
      let q = p.low / ud
      return q > UInt64(Int64.max) ? Int64.max : Int64(q)
    }
    if p.high >= ud { return Int64.max }
    let (q, _) = ud.dividingFullWidth(p)
    return q > UInt64(Int64.max) ? Int64.max : Int64(q)
  }

  /// ⌈a·b / d⌉ for a, b ≥ 0, d > 0. Saturates at Int64.max.
  @inlinable @inline(__always)
  public static func mulDivCeil(_ a: Int64, _ b: Int64, _ d: Int64) -> Int64 {
    guard a > 0, b > 0, d > 0 else { return 0 }
    let p = UInt64(a).multipliedFullWidth(by: UInt64(b))
    let ud = UInt64(d)
    // A product that fits 64 bits (nearly all): one machine division, not a 128-bit one.
    if p.high == 0 {
      let (q, r) = p.low.quotientAndRemainder(dividingBy: ud)
      let up = r == 0 ? q : q + 1
      return up > UInt64(Int64.max) ? Int64.max : Int64(up)
    }
    if p.high >= ud { return Int64.max }
    let (qw, rw) = ud.dividingFullWidth(p)
    let up = rw == 0 ? qw : qw + 1
    return up > UInt64(Int64.max) ? Int64.max : Int64(up)
  }

  /// ⌈a / d⌉ for a ≥ 0, d > 0.
  @inlinable @inline(__always)
  public static func divCeil(_ a: Int64, _ d: Int64) -> Int64 {
    guard a > 0, d > 0 else { return 0 }
    return (a + d - 1) / d
  }

  /// Saturating addition for non-negative accumulators.
  @inlinable @inline(__always)
  public static func addSat(_ a: Int64, _ b: Int64) -> Int64 {
    let (s, o) = a.addingReportingOverflow(b)
    return o ? Int64.max : s
  }
}
