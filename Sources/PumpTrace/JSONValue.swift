/// A JSON value written with sorted keys on one line (JSON Lines): pumpmon's `--json` output.
/// No Foundation; strings are escaped per RFC 8259. The one JSON writer and escaper: pumpmon's
/// output (PumpHost's `JSONOutput`) and the replay reports (`JSONReport`) both use it; it lives
/// in PumpTrace, the lowest module that writes JSON.
public enum JSONValue: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByBooleanLiteral, CustomStringConvertible
{
  case string(String)
  case int(Int64)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([String: JSONValue])

  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }

  /// An optional integer: null when nil.
  public static func int(_ v: Int64?) -> JSONValue { v.map { .int($0) } ?? .null }

  /// The compact text, keys sorted.
  public var description: String {
    var out = ""
    write(into: &out)
    return out
  }

  func write(into out: inout String) {
    switch self {
    case .string(let s): Self.quote(s, into: &out)
    case .int(let n): out += "\(n)"
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    case .array(let a):
      out += "["
      for (i, v) in a.enumerated() {
        if i > 0 { out += "," }
        v.write(into: &out)
      }
      out += "]"
    case .object(let o):
      out += "{"
      for (i, k) in o.keys.sorted().enumerated() {
        if i > 0 { out += "," }
        Self.quote(k, into: &out)
        out += ":"
        o[k]!.write(into: &out)
      }
      out += "}"
    }
  }

  /// `s` as a JSON string literal, quotes included.
  public static func quoted(_ s: String) -> String {
    var out = ""
    quote(s, into: &out)
    return out
  }

  static func quote(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          let h = Array("0123456789abcdef")
          out += "\\u00" + String(h[Int(u.value >> 4)]) + String(h[Int(u.value & 15)])
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    out += "\""
  }
}
