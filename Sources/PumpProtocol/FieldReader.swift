/// Reads a frame's fields in order with range checks; every failure is a typed `ProtocolError`.
public struct FieldReader: Sendable {
  private let fields: [Substring]
  private var index = 0

  public init(_ fields: [Substring]) { self.fields = fields }

  /// True when every field has been read.
  public var atEnd: Bool { index == fields.count }

  /// The next raw field.
  public mutating func next(_ name: String) throws(ProtocolError) -> Substring {
    guard index < fields.count else { throw .malformed(field: name) }
    defer { index += 1 }
    return fields[index]
  }

  /// A decimal integer within `range`. Syntax `["-"] 1*DIGIT` (leading zeros allowed) or
  /// `.malformed` (NAK 01); a readable number outside `range` — negative where the range starts
  /// at 0, or longer than 18 digits — is `.outOfRange` (NAK 03).
  public mutating func int(_ name: String, _ range: ClosedRange<Int64>) throws(ProtocolError)
    -> Int64
  {
    let f = try next(name)
    return try Self.parseInt(f, name, range)
  }

  /// An integer, or nil for an empty field.
  public mutating func optionalInt(_ name: String, _ range: ClosedRange<Int64>)
    throws(ProtocolError) -> Int64?
  {
    let f = try next(name)
    if f.isEmpty { return nil }
    return try Self.parseInt(f, name, range)
  }

  /// `0` or `1`.
  public mutating func bool(_ name: String) throws(ProtocolError) -> Bool {
    try int(name, 0...1) == 1
  }

  /// Uppercase hex of exactly `count` bytes.
  public mutating func hex(_ name: String, count: Int) throws(ProtocolError) -> [UInt8] {
    let f = try next(name)
    guard f.utf8.count == count * 2, let b = Hex.decode(f.utf8) else {
      throw .malformed(field: name)
    }
    return b
  }

  /// A text field of at most `maxLength` bytes.
  public mutating func text(_ name: String, maxLength: Int) throws(ProtocolError) -> String {
    let f = try next(name)
    guard f.utf8.count <= maxLength else { throw .outOfRange(field: name) }
    return String(f)
  }

  /// Throws `.malformed` if fields are left over.
  public func end() throws(ProtocolError) {
    guard atEnd else { throw .malformed(field: "extra fields") }
  }

  static func parseInt(_ f: Substring, _ name: String, _ range: ClosedRange<Int64>)
    throws(ProtocolError) -> Int64
  {
    var u = f.utf8[...]
    var negative = false
    if u.first == UInt8(ascii: "-") {
      negative = true
      u = u.dropFirst()
    }
    guard !u.isEmpty, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
      throw .malformed(field: name)
    }
    guard u.count <= 18 else { throw .outOfRange(field: name) }
    var v: Int64 = 0
    for c in u { v = v * 10 + Int64(c - 0x30) }
    if negative { v = -v }
    guard range.contains(v) else { throw .outOfRange(field: name) }
    return v
  }
}
