/// Appends comma-separated fields to a frame body (the part a MAC covers).
public struct FieldWriter: Sendable {
  /// The body so far: kind, seq, fields.
  public private(set) var bytes: [UInt8]

  /// Starts a body with `kind` and `seq`.
  public init(kind: String, seq: UInt32) {
    bytes = []
    bytes.reserveCapacity(256)
    bytes.append(contentsOf: kind.utf8)
    int(Int64(seq))
  }

  /// Starts a new body with `kind` and `seq` in the same storage: a writer kept across frames
  /// allocates nothing once its capacity covers the longest body (256 bytes reserved).
  public mutating func reset(kind: String, seq: UInt32) {
    bytes.removeAll(keepingCapacity: true)
    bytes.append(contentsOf: kind.utf8)
    int(Int64(seq))
  }

  /// A decimal integer field.
  public mutating func int(_ value: Int64) {
    bytes.append(UInt8(ascii: ","))
    appendDecimal(value)
  }

  /// A decimal integer field, or an empty field for nil.
  public mutating func optionalInt(_ value: Int64?) {
    bytes.append(UInt8(ascii: ","))
    if let value { appendDecimal(value) }
  }

  /// `0` or `1`.
  public mutating func bool(_ value: Bool) { int(value ? 1 : 0) }

  /// A text field, sanitised (see `WireText`) and cut to `maxLength` bytes.
  public mutating func text(_ value: some StringProtocol, maxLength: Int = 120) {
    bytes.append(UInt8(ascii: ","))
    for b in value.utf8.prefix(maxLength) {
      bytes.append(WireText.isFieldByte(b) ? b : 0x20)
    }
  }

  /// An uppercase hex field.
  public mutating func hex(_ value: some Sequence<UInt8>) {
    bytes.append(UInt8(ascii: ","))
    Hex.appendEncoded(value, to: &bytes)
  }

  /// Appends raw bytes to the current field (no separator), e.g. list items.
  mutating func raw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

  /// Starts an empty field (for composite values written with `raw`).
  mutating func beginField() { bytes.append(UInt8(ascii: ",")) }

  /// Appends one byte to the current field (a list separator).
  mutating func byte(_ b: UInt8) { bytes.append(b) }

  /// Writes the digits least significant first, then reverses them in place: no division
  /// ladder, no temporary buffer.
  mutating func appendDecimal(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var m = value.magnitude
    var i = bytes.count
    repeat {
      bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10))
      m /= 10
    } while m > 0
    var j = bytes.count - 1
    while i < j {
      bytes.swapAt(i, j)
      i += 1
      j -= 1
    }
  }
}
