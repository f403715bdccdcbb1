/// Rules for free-text fields (NAK reasons, log text, ids): printable ASCII without the
/// delimiters `$ * , #`.
public enum WireText {
  /// True when `byte` may appear inside a field.
  @inline(__always)
  public static func isFieldByte(_ byte: UInt8) -> Bool {
    byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "$") && byte != UInt8(ascii: "*")
      && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "#")
  }

  /// `text` with every byte that may not appear in a field replaced by a space, cut to
  /// `maxLength` bytes.
  public static func sanitize(_ text: some StringProtocol, maxLength: Int) -> String {
    var out: [UInt8] = []
    for b in text.utf8.prefix(maxLength) {
      out.append(isFieldByte(b) ? b : 0x20)
    }
    return String(decoding: out, as: UTF8.self)
  }
}
