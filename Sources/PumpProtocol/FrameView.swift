/// A frame body read in place, byte by byte (docs/PROTOCOL.md §2.1): kind, seq, MAC and a
/// cursor over the fields, all views of the caller's buffer. Nothing is allocated: no `String`,
/// no array of fields. Accepts and refuses exactly what `ParsedFrame` does, with the same
/// errors (checked against it by Tools/fuzz).
public struct FrameView {
  /// The whole body (the bytes between `$` and `*`), MAC included.
  public let body: ArraySlice<UInt8>
  /// The bytes the MAC covers: the body up to (not including) `#`.
  public let signed: ArraySlice<UInt8>
  /// 1–10 characters A–Z, 0–9.
  public let kind: ArraySlice<UInt8>
  /// Host sequence (requests, ACK, NAK) or device sequence (TLM, TLC, EVT).
  public let seq: UInt32
  /// The 8-byte MAC after `#` as one big-endian integer, if present.
  public let mac: UInt64?
  /// Index of the `,` before the first field, or `signed.endIndex` when there is none.
  let fieldsStart: Int

  /// Reads a body. Throws `.malformed` for a bad kind, seq, MAC or field character.
  public init(_ body: ArraySlice<UInt8>) throws(ProtocolError) {
    self.body = body
    var end = body.endIndex
    var m: UInt64? = nil
    if let hash = body.firstIndex(of: UInt8(ascii: "#")) {
      guard body.endIndex - hash - 1 == 16 else { throw .malformed(field: "mac") }
      var v: UInt64 = 0
      for i in (hash + 1)..<body.endIndex {
        guard let d = Hex.value(ofDigit: body[i]) else { throw .malformed(field: "mac") }
        v = v << 4 | UInt64(d)
      }
      m = v
      end = hash
    }
    mac = m
    let signed = body[body.startIndex..<end]
    self.signed = signed
    guard let c1 = signed.firstIndex(of: UInt8(ascii: ",")) else {
      throw .malformed(field: "seq")
    }
    let k = signed[signed.startIndex..<c1]
    var c2 = c1 + 1
    while c2 < end, signed[c2] != UInt8(ascii: ",") { c2 += 1 }
    let s = signed[(c1 + 1)..<c2]
    guard (1...10).contains(k.count), k.allSatisfy(Self.isKindByte) else {
      throw .malformed(field: "kind")
    }
    guard (1...10).contains(s.count) else { throw .malformed(field: "seq") }
    var v: UInt64 = 0
    for c in s {
      guard c >= 0x30, c <= 0x39 else { throw .malformed(field: "seq") }
      v = v * 10 + UInt64(c - 0x30)
    }
    guard v <= UInt64(UInt32.max) else { throw .malformed(field: "seq") }
    for i in c2..<end where signed[i] != UInt8(ascii: ",") && !WireText.isFieldByte(signed[i]) {
      throw .malformed(field: "text")
    }
    kind = k
    seq = UInt32(v)
    fieldsStart = c2
  }

  @inline(__always)
  static func isKindByte(_ b: UInt8) -> Bool {
    (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
  }

  /// True when the kind is `name` (ASCII).
  public func kindIs(_ name: StaticString) -> Bool {
    name.withUTF8Buffer { n in n.count == kind.count && n.elementsEqual(kind) }
  }

  /// A cursor at the first field.
  public var fields: FieldCursor { FieldCursor(signed, at: fieldsStart) }
}

/// Reads a frame's fields in place, in order, with the rules and errors of `FieldReader`
/// (decimal and hex parsed straight from the bytes; nothing allocated).
public struct FieldCursor {
  let bytes: ArraySlice<UInt8>
  /// Index of the `,` before the next field, or `bytes.endIndex` when none is left.
  var position: Int
  let separator: UInt8

  init(_ bytes: ArraySlice<UInt8>, at position: Int) {
    self.bytes = bytes
    self.position = position
    separator = UInt8(ascii: ",")
  }

  /// A cursor over the `separator`-joined parts of one field (list items).
  init(_ field: ArraySlice<UInt8>, separator: UInt8) {
    bytes = field
    position = field.startIndex - 1
    self.separator = separator
  }

  /// The next part of a list item (the caller counted the parts).
  mutating func part() -> ArraySlice<UInt8> {
    let start = position + 1
    var e = start
    while e < bytes.endIndex, bytes[e] != separator { e += 1 }
    position = e
    return bytes[start..<e]
  }

  /// True when every field has been read.
  public var atEnd: Bool { position >= bytes.endIndex }

  /// The next raw field.
  public mutating func next(_ name: String) throws(ProtocolError) -> ArraySlice<UInt8> {
    guard position < bytes.endIndex else { throw .malformed(field: name) }
    let start = position + 1
    var e = start
    while e < bytes.endIndex, bytes[e] != separator { e += 1 }
    position = e
    return bytes[start..<e]
  }

  /// A decimal integer within `range` (see `FieldReader.int`).
  public mutating func int(_ name: String, _ range: ClosedRange<Int64>) throws(ProtocolError)
    -> Int64
  {
    try Self.parseInt(try next(name), name, range)
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

  /// Throws `.malformed` if fields are left over.
  public func end() throws(ProtocolError) {
    guard atEnd else { throw .malformed(field: "extra fields") }
  }

  /// `FieldReader.parseInt` on bytes.
  static func parseInt(_ f: ArraySlice<UInt8>, _ name: String, _ range: ClosedRange<Int64>)
    throws(ProtocolError) -> Int64
  {
    var i = f.startIndex
    var negative = false
    if i < f.endIndex, f[i] == UInt8(ascii: "-") {
      negative = true
      i += 1
    }
    guard i < f.endIndex else { throw .malformed(field: name) }
    var v: Int64 = 0
    var digits = 0
    while i < f.endIndex {
      let c = f[i]
      guard c >= 0x30, c <= 0x39 else { throw .malformed(field: name) }
      if digits < 18 { v = v * 10 + Int64(c - 0x30) }
      digits += 1
      i += 1
    }
    guard digits <= 18 else { throw .outOfRange(field: name) }
    if negative { v = -v }
    guard range.contains(v) else { throw .outOfRange(field: name) }
    return v
  }
}
