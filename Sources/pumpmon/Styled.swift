/// A line of text in styled runs, truncated or padded by visible width (one column per
/// character: the dashboard only uses characters of width one).
struct Styled {
  /// SGR parameter strings.
  enum Style: String {
    case plain = "0"
    case bold = "1"
    case dim = "2;37"
    case grey = "90"
    case red = "1;31"
    case redBlock = "1;97;41"
    case yellow = "1;33"
    case cyan = "36"
    case green = "32"
    case reverse = "7"
  }

  var runs: [(text: String, style: Style)] = []

  init(_ text: String = "", _ style: Style = .plain) {
    if !text.isEmpty { runs.append((text, style)) }
  }

  mutating func add(_ text: String, _ style: Style = .plain) { runs.append((text, style)) }

  static func + (a: Styled, b: Styled) -> Styled {
    var s = a
    s.runs += b.runs
    return s
  }

  var width: Int { runs.reduce(0) { $0 + $1.text.count } }

  /// Every run in `style` (a lost link greys the last state).
  func all(_ style: Style) -> Styled {
    var s = Styled()
    s.runs = runs.map { ($0.text, style) }
    return s
  }

  /// ANSI text exactly `width` columns wide.
  func render(width: Int) -> String {
    var out = ""
    var left = width
    for r in runs where left > 0 {
      let t = r.text.count > left ? String(r.text.prefix(left)) : r.text
      left -= t.count
      out += r.style == .plain ? t : "\u{1B}[\(r.style.rawValue)m\(t)\u{1B}[0m"
    }
    if left > 0 { out += String(repeating: " ", count: left) }
    return out
  }

  /// Plain text (no colours), for the `--plain` log and tests.
  var text: String { runs.map(\.text).joined() }
}
