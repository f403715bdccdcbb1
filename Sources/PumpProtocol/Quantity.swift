import PumpCore

/// Quantities written as text with an explicit unit (`"0.35 mg/kg"`, `"10 psi"`), parsed exactly
/// with integer decimal arithmetic into PumpCore base units, and formatted back.
///
/// Grammar: `<digits>[.<digits>] <unit>`: one ASCII space between number and unit, no sign, no
/// exponent, units case-sensitive. The value must be a whole number of base units: `"0.0001 mg"`
/// is an error (finer than 1 µg), never rounded. The single exception is mmHg → milli-psi, which
/// rounds DOWN (1 psi = 6894.757293 Pa, 1 mmHg = 133.322387 Pa): a lower occlusion threshold alarms
/// earlier, the safe side.
public enum Quantity {
  /// What a quantity measures. Each dimension has one unit table; the raw value is in its base
  /// unit, named in each case.
  public enum Dimension: String, Hashable, Sendable, CaseIterable {
    /// Drug mass, base µg (`Micrograms`). Units µg, ug, mcg, mg, g.
    case mass
    /// Volume, base µL (`Microliters`). Units µL, uL, mL, L.
    case volume
    /// Volumetric flow, base µL/h (`MicrolitersPerHour`). Units µL/h, uL/h, mL/h, mL/min.
    case flowRate
    /// Drug mass rate, base µg/h (`MicrogramsPerHour`). Units µg/h, ug/h, mcg/h, mg/h.
    case massRate
    /// Per-kg dose, base µg/kg (`MicrogramsPerKilogram`). Units µg/kg, ug/kg, mcg/kg, mg/kg.
    case dosePerKg
    /// Per-kg dose rate, base µg/kg/h (`MicrogramsPerKilogramHour`). Units µg/kg/h, ug/kg/h,
    /// mcg/kg/h, mg/kg/h.
    case doseRatePerKg
    /// Concentration, base µg/mL (`MicrogramsPerMilliliter`). Units µg/mL, ug/mL, mcg/mL, mg/mL.
    case concentration
    /// Patient weight, base g (`Grams`). Units g, kg.
    case weight
    /// Time, base µs (most fields then require whole ms, `Milliseconds`). Units µs, us, ms, s,
    /// min, h, d (the trace format's units: `1 d` here is `1d` in a trace line).
    case time
    /// Pressure, base milli-psi (`MilliPSI`). Units psi, mmHg (mmHg rounds down).
    case pressure
    /// Electric current, base mA. Unit mA.
    case current
    /// Battery capacity, base mAh. Unit mAh.
    case capacity
    /// Percentage, base 1 %. Unit %.
    case percent

    /// A short noun phrase used in error messages: "expected a flow rate (…)".
    public var noun: String {
      switch self {
      case .mass: "a mass"
      case .volume: "a volume"
      case .flowRate: "a flow rate"
      case .massRate: "a mass rate"
      case .dosePerKg: "a dose per kg"
      case .doseRatePerKg: "a dose rate per kg"
      case .concentration: "a concentration"
      case .weight: "a weight"
      case .time: "a time"
      case .pressure: "a pressure"
      case .current: "a current"
      case .capacity: "a battery capacity"
      case .percent: "a percentage"
      }
    }

    /// The unit table: symbol, base units per unit, and whether the symbol is listed in messages
    /// (ASCII and `mcg` spellings are accepted aliases). A factor of 0 marks mmHg (special rule).
    var units: [(symbol: String, factor: Int64, listed: Bool)] {
      switch self {
      case .mass:
        [
          ("µg", 1, true), ("ug", 1, false), ("mcg", 1, false), ("mg", 1000, true),
          ("g", 1_000_000, true),
        ]
      case .volume:
        [("µL", 1, true), ("uL", 1, false), ("mL", 1000, true), ("L", 1_000_000, true)]
      case .flowRate:
        [("µL/h", 1, true), ("uL/h", 1, false), ("mL/h", 1000, true), ("mL/min", 60_000, true)]
      case .massRate:
        [("µg/h", 1, true), ("ug/h", 1, false), ("mcg/h", 1, false), ("mg/h", 1000, true)]
      case .dosePerKg:
        [("µg/kg", 1, true), ("ug/kg", 1, false), ("mcg/kg", 1, false), ("mg/kg", 1000, true)]
      case .doseRatePerKg:
        [
          ("µg/kg/h", 1, true), ("ug/kg/h", 1, false), ("mcg/kg/h", 1, false),
          ("mg/kg/h", 1000, true),
        ]
      case .concentration:
        [("µg/mL", 1, true), ("ug/mL", 1, false), ("mcg/mL", 1, false), ("mg/mL", 1000, true)]
      case .weight:
        [("g", 1, true), ("kg", 1000, true)]
      case .time:
        [
          ("µs", 1, true), ("us", 1, false), ("ms", 1000, true), ("s", 1_000_000, true),
          ("min", 60_000_000, true), ("h", 3_600_000_000, true), ("d", 86_400_000_000, true),
        ]
      case .pressure:
        [("psi", 1000, true), ("mmHg", 0, true)]
      case .current:
        [("mA", 1, true)]
      case .capacity:
        [("mAh", 1, true)]
      case .percent:
        [("%", 1, true)]
      }
    }

    /// The units listed in messages, e.g. `µL/h, mL/h, mL/min`.
    public var unitList: String {
      units.filter(\.listed).map(\.symbol).joined(separator: ", ")
    }

    /// The unit `Quantity.format` prints (time picks the largest exact unit instead).
    var displayUnit: (symbol: String, factor: Int64) {
      switch self {
      case .mass: ("mg", 1000)
      case .volume: ("mL", 1000)
      case .flowRate: ("mL/h", 1000)
      case .massRate: ("mg/h", 1000)
      case .dosePerKg: ("mg/kg", 1000)
      case .doseRatePerKg: ("mg/kg/h", 1000)
      case .concentration: ("mg/mL", 1000)
      case .weight: ("kg", 1000)
      case .time: ("ms", 1000)
      case .pressure: ("psi", 1000)
      case .current: ("mA", 1)
      case .capacity: ("mAh", 1)
      case .percent: ("%", 1)
      }
    }
  }

  /// Why a quantity text was rejected; `message` is ready to show after the field name.
  public struct ParseError: Error, Equatable, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
  }

  /// 1 mmHg in µPa and 1 psi in µPa (NIST: 133.322387 Pa, 6894.757293 Pa).
  static let mmHgMicropascal: Int64 = 133_322_387
  static let psiMicropascal: Int64 = 6_894_757_293

  /// Parses `text` as `dimension`, exactly, into the dimension's base unit.
  ///
  /// - Parameters:
  ///   - text: `<number> <unit>`, e.g. `"0.1 mL/h"`.
  ///   - dimension: what the field measures; the unit must come from its table.
  ///   - resolution: base units per step the field can hold (1000 for a millisecond field read as
  ///     time, whose base is µs); the value must be a whole multiple of it.
  /// - Returns: the value counted in steps of `resolution` base units: base units for the default
  ///   1, milliseconds for time parsed with `resolution: 1000`.
  /// - Throws: `ParseError` for a malformed number, a missing or wrong unit, a value finer than
  ///   `resolution`, or one that does not fit in Int64.
  public static func parse(
    _ text: String, as dimension: Dimension, resolution: Int64 = 1
  ) throws(ParseError) -> Int64 {
    guard resolution > 0 else {
      throw ParseError(message: "resolution must be greater than 0, got \(resolution)")
    }
    let expected = "expected \(dimension.noun) (\(dimension.unitList)), got '\(text)'"
    let scalars = Array(text.unicodeScalars)
    var i = 0
    if i < scalars.count, scalars[i] == "-" {
      throw ParseError(message: "negative quantities are not allowed, got '\(text)'")
    }
    var intDigits: [UInt8] = []
    var fracDigits: [UInt8] = []
    while i < scalars.count, let d = digit(scalars[i]) {
      intDigits.append(d)
      i += 1
    }
    if i < scalars.count, scalars[i] == "." {
      i += 1
      while i < scalars.count, let d = digit(scalars[i]) {
        fracDigits.append(d)
        i += 1
      }
      if fracDigits.isEmpty {
        throw ParseError(message: "malformed number: \(expected)")
      }
    }
    if intDigits.isEmpty {
      throw ParseError(message: expected)
    }
    if i == scalars.count {
      throw ParseError(message: "missing unit: \(expected)")
    }
    guard scalars[i] == " ", i + 1 < scalars.count, scalars[i + 1] != " " else {
      throw ParseError(
        message: "expected '<number> <unit>' with one space between them: \(expected)")
    }
    // Greek small mu (U+03BC) is accepted for the micro sign (U+00B5).
    let unit = String(
      String.UnicodeScalarView(scalars[(i + 1)...].map { $0.value == 0x3BC ? "\u{B5}" : $0 }))
    guard let entry = dimension.units.first(where: { $0.symbol == unit }) else {
      throw ParseError(message: expected)
    }
    // Trailing fractional zeros carry no value; drop them so "0.3500 mg" is as exact as "0.35 mg".
    while fracDigits.last == 0 { fracDigits.removeLast() }
    let digits = intDigits.drop(while: { $0 == 0 }) + fracDigits
    guard digits.count <= 18 else {
      throw ParseError(message: "'\(text)' has too many digits (at most 18)")
    }
    var mantissa: Int64 = 0
    for d in digits { mantissa = mantissa * 10 + Int64(d) }
    var scale: Int64 = 1
    for _ in fracDigits { scale *= 10 }

    if entry.factor == 0 {
      // mmHg → milli-psi, rounded down: ⌊v · 133322387 µPa · 1000 / 6894757293 µPa⌋.
      guard fracDigits.count <= 6 else {
        throw ParseError(message: "'\(text)' has too many decimal places (at most 6 for mmHg)")
      }
      let (den, o) = scale.multipliedReportingOverflow(by: psiMicropascal)
      let raw = Arith.mulDivFloor(mantissa, mmHgMicropascal * 1000, den)
      // Rounds down, also to `resolution` (the safe side for an occlusion threshold).
      guard !o, raw < Int64.max else { throw ParseError(message: "'\(text)' is too large") }
      return raw / resolution
    }
    let (product, overflow) = mantissa.multipliedReportingOverflow(by: entry.factor)
    guard !overflow else { throw ParseError(message: "'\(text)' is too large") }
    guard product % scale == 0 else {
      throw ParseError(
        message: "'\(text)' is finer than the resolution of \(exactText(resolution, dimension))")
    }
    let raw = product / scale
    guard raw % resolution == 0 else {
      throw ParseError(
        message: "'\(text)' is finer than the resolution of \(exactText(resolution, dimension))")
    }
    return raw / resolution
  }

  private static func digit(_ s: Unicode.Scalar) -> UInt8? {
    s.value >= 48 && s.value <= 57 ? UInt8(s.value - 48) : nil
  }

  /// `raw` base units as an integer in the largest unit that holds it exactly: `1000` µs → `1 ms`.
  static func exactText(_ raw: Int64, _ dimension: Dimension) -> String {
    let candidates = dimension.units.filter { $0.listed && $0.factor > 0 }
    let best = candidates.last(where: { raw % $0.factor == 0 }) ?? candidates[0]
    return "\(raw / best.factor) \(best.symbol)"
  }

  /// Formats a raw value (in the dimension's base unit) as text that `parse` reads back to the
  /// same value: mass as mg, volume as mL, flows as mL/h, concentrations as mg/mL, weights as kg,
  /// pressure as psi, with an exact decimal fraction and no trailing zeros (`350` µg →
  /// `"0.35 mg"`). Time uses the largest of d, h, min, s, ms, µs that holds the value exactly
  /// (`300_000_000` µs → `"5 min"`). Negative values keep their sign (parse rejects them).
  public static func format(_ raw: Int64, as dimension: Dimension) -> String {
    if dimension == .time {
      return exactText(raw, .time)
    }
    let unit = dimension.displayUnit
    return "\(decimal(raw, unit.factor)) \(unit.symbol)"
  }

  /// `value / factor` as an exact decimal; `factor` is a power of ten.
  static func decimal(_ value: Int64, _ factor: Int64) -> String {
    let sign = value < 0 ? "-" : ""
    let magnitude = value.magnitude
    let f = UInt64(factor)
    let whole = magnitude / f
    var frac = magnitude % f
    guard frac != 0 else { return "\(sign)\(whole)" }
    var width = 0
    var p: UInt64 = 1
    while p < f {
      p *= 10
      width += 1
    }
    while frac % 10 == 0 {
      frac /= 10
      width -= 1
    }
    let fracText = String(frac)
    let padded = String(repeating: "0", count: width - fracText.count) + fracText
    return "\(sign)\(whole).\(padded)"
  }

  /// A drug mass, e.g. `"0.35 mg"`.
  public static func format(_ value: Micrograms) -> String { format(value.rawValue, as: .mass) }
  /// A volume, e.g. `"60 mL"`.
  public static func format(_ value: Microliters) -> String { format(value.rawValue, as: .volume) }
  /// A flow, e.g. `"0.1 mL/h"`.
  public static func format(_ value: MicrolitersPerHour) -> String {
    format(value.rawValue, as: .flowRate)
  }
  /// A mass rate, e.g. `"25 mg/h"`.
  public static func format(_ value: MicrogramsPerHour) -> String {
    format(value.rawValue, as: .massRate)
  }
  /// A concentration, e.g. `"5 mg/mL"`.
  public static func format(_ value: MicrogramsPerMilliliter) -> String {
    format(value.rawValue, as: .concentration)
  }
  /// A per-kg dose, e.g. `"0.35 mg/kg"`.
  public static func format(_ value: MicrogramsPerKilogram) -> String {
    format(value.rawValue, as: .dosePerKg)
  }
  /// A per-kg rate, e.g. `"1 mg/kg/h"`.
  public static func format(_ value: MicrogramsPerKilogramHour) -> String {
    format(value.rawValue, as: .doseRatePerKg)
  }
  /// A weight, e.g. `"70 kg"`.
  public static func format(_ value: Grams) -> String { format(value.rawValue, as: .weight) }
  /// A pressure, e.g. `"10 psi"`.
  public static func format(_ value: MilliPSI) -> String { format(value.rawValue, as: .pressure) }
  /// A time, e.g. `"5 min"` (saturates rather than overflowing for huge values).
  public static func format(_ value: Milliseconds) -> String {
    let (us, o) = value.rawValue.multipliedReportingOverflow(by: 1000)
    return o ? "\(value.rawValue) ms" : format(us, as: .time)
  }

  /// A duration in one word, as trace lines write it (the trace's time grammar reads it back):
  /// `250ms`, `12.5s`, `3min`, `2h`, `1h30min`. The one duration formatter of traces, the
  /// recorder, reports and failure messages; `format(_: Milliseconds)` is the spaced quantity
  /// form of headers and pumpmon (`10 min`).
  public static func formatDuration(_ d: Milliseconds) -> String {
    var ms = d.rawValue
    if ms == 0 { return "0s" }
    if ms % 1000 != 0 && ms < 60_000 {
      return ms % 1000 == 0 ? "\(ms / 1000)s" : ms < 1000 ? "\(ms)ms" : "\(Double(ms) / 1000)s"
    }
    var out = ""
    if ms >= 3_600_000 {
      out += "\(ms / 3_600_000)h"
      ms %= 3_600_000
    }
    if ms >= 60_000 {
      out += "\(ms / 60_000)min"
      ms %= 60_000
    }
    if ms > 0 { out += ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms" }
    return out
  }
}
