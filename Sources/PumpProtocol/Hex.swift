/// Uppercase hexadecimal text, as used on the wire for CRCs, MACs, nonces, session ids and keys.
public enum Hex {
  private static let digits: [UInt8] = Array("0123456789ABCDEF".utf8)

  /// `bytes` as uppercase hex, two characters per byte.
  public static func encode(_ bytes: some Sequence<UInt8>) -> String {
    var out: [UInt8] = []
    appendEncoded(bytes, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends `bytes` as uppercase hex ASCII to `out`.
  public static func appendEncoded(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0x0F)])
    }
  }

  /// Appends the low `digits` hex digits of `value` (at most 16), most significant first.
  @inline(__always)
  public static func appendEncoded(_ value: UInt64, digits n: Int, to out: inout [UInt8]) {
    guard n > 0 else { return }
    var shift = UInt64(4 * (min(n, 16) - 1))
    for _ in 0..<min(n, 16) {
      let d = Int(truncatingIfNeeded: (value >> shift) & 0xF)
      out.append(d < 10 ? UInt8(ascii: "0") &+ UInt8(d) : UInt8(ascii: "A") &+ UInt8(d - 10))
      shift &-= 4
    }
  }

  /// The value of one uppercase hex digit (ASCII), or nil. Lowercase is refused (the wire is
  /// strictly uppercase).
  @inline(__always)
  public static func value(ofDigit c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  /// Decodes uppercase hex ASCII; nil if the length is odd or a character is not 0-9A-F.
  public static func decode(_ ascii: some Collection<UInt8>) -> [UInt8]? {
    guard ascii.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(ascii.count / 2)
    var it = ascii.makeIterator()
    while let hi = it.next(), let lo = it.next() {
      guard let h = value(ofDigit: hi), let l = value(ofDigit: lo) else { return nil }
      out.append(h << 4 | l)
    }
    return out
  }

  /// Decodes uppercase hex text; nil if malformed.
  public static func decode(_ text: some StringProtocol) -> [UInt8]? {
    decode(Array(text.utf8))
  }
}
