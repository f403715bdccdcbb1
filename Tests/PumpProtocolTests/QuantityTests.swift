import PumpCore
import PumpProtocol
import Testing

@Suite("Quantity")
struct QuantityTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let text: String
    let dimension: Quantity.Dimension
    let raw: Int64
    var testDescription: String { "'\(text)' as \(dimension) = \(raw)" }
  }

  static let exact: [Case] = [
    Case(text: "60 mL", dimension: .volume, raw: 60_000),
    Case(text: "1 L", dimension: .volume, raw: 1_000_000),
    Case(text: "50 µL", dimension: .volume, raw: 50),
    Case(text: "50 uL", dimension: .volume, raw: 50),
    Case(text: "0.001 mL", dimension: .volume, raw: 1),
    Case(text: "0.1 mL/h", dimension: .flowRate, raw: 100),
    Case(text: "10 mL/min", dimension: .flowRate, raw: 600_000),
    Case(text: "0.001 mL/min", dimension: .flowRate, raw: 60),
    Case(text: "1 µL/h", dimension: .flowRate, raw: 1),
    Case(text: "0.35 mg", dimension: .mass, raw: 350),
    Case(text: "17.5 mg", dimension: .mass, raw: 17_500),
    Case(text: "1 g", dimension: .mass, raw: 1_000_000),
    Case(text: "250 mcg", dimension: .mass, raw: 250),
    Case(text: "250 ug", dimension: .mass, raw: 250),
    Case(text: "250 \u{3BC}g", dimension: .mass, raw: 250),  // Greek mu for the micro sign
    Case(text: "25 mg/h", dimension: .massRate, raw: 25_000),
    Case(text: "0.35 mg/kg", dimension: .dosePerKg, raw: 350),
    Case(text: "1 mg/kg/h", dimension: .doseRatePerKg, raw: 1000),
    Case(text: "1.5 mg/kg/h", dimension: .doseRatePerKg, raw: 1500),
    Case(text: "5 mg/mL", dimension: .concentration, raw: 5000),
    Case(text: "70 kg", dimension: .weight, raw: 70_000),
    Case(text: "50.001 kg", dimension: .weight, raw: 50_001),
    Case(text: "120 s", dimension: .time, raw: 120_000_000),
    Case(text: "5 min", dimension: .time, raw: 300_000_000),
    Case(text: "24 h", dimension: .time, raw: 86_400_000_000),
    Case(text: "1 d", dimension: .time, raw: 86_400_000_000),  // as in traces (issue 14)
    Case(text: "1.5 d", dimension: .time, raw: 129_600_000_000),
    Case(text: "500 µs", dimension: .time, raw: 500),
    Case(text: "10 ms", dimension: .time, raw: 10_000),
    Case(text: "10 psi", dimension: .pressure, raw: 10_000),
    Case(text: "0.5 psi", dimension: .pressure, raw: 500),
    Case(text: "1034 mmHg", dimension: .pressure, raw: 19_994),  // rounds down
    Case(text: "51.715 mmHg", dimension: .pressure, raw: 1000),
    Case(text: "1 mmHg", dimension: .pressure, raw: 19),
    Case(text: "1500 mAh", dimension: .capacity, raw: 1500),
    Case(text: "45 mA", dimension: .current, raw: 45),
    Case(text: "5 %", dimension: .percent, raw: 5),
    Case(text: "0 mg", dimension: .mass, raw: 0),
    Case(text: "007.3500 mg", dimension: .mass, raw: 7350),
  ]

  @Test("REQ-CONFIG-UNITS-01: quantities parse exactly into base units", arguments: exact)
  func parsesExactly(c: Case) throws {
    #expect(try Quantity.parse(c.text, as: c.dimension) == c.raw)
  }

  struct Rejection: Sendable, CustomTestStringConvertible {
    let text: String
    let dimension: Quantity.Dimension
    let message: String
    var testDescription: String { "'\(text)' as \(dimension)" }
  }

  static let rejections: [Rejection] = [
    Rejection(
      text: "5 mL", dimension: .flowRate,
      message: "expected a flow rate (µL/h, mL/h, mL/min), got '5 mL'"),
    Rejection(
      text: "5 mL", dimension: .time,
      message: "expected a time (µs, ms, s, min, h, d), got '5 mL'"),
    Rejection(
      text: "5", dimension: .mass,
      message: "missing unit: expected a mass (µg, mg, g), got '5'"),
    Rejection(
      text: "0.0001 mg", dimension: .mass,
      message: "'0.0001 mg' is finer than the resolution of 1 µg"),
    Rejection(
      text: "0.0001 mL/h", dimension: .flowRate,
      message: "'0.0001 mL/h' is finer than the resolution of 1 µL/h"),
    Rejection(
      text: "0.5 %", dimension: .percent,
      message: "'0.5 %' is finer than the resolution of 1 %"),
    Rejection(
      text: "-1 mg", dimension: .mass,
      message: "negative quantities are not allowed, got '-1 mg'"),
    Rejection(
      text: "5mg", dimension: .mass,
      message:
        "expected '<number> <unit>' with one space between them: expected a mass (µg, mg, g), got '5mg'"
    ),
    Rejection(
      text: "5  mg", dimension: .mass,
      message:
        "expected '<number> <unit>' with one space between them: expected a mass (µg, mg, g), got '5  mg'"
    ),
    Rejection(
      text: "1e3 mg", dimension: .mass,
      message:
        "expected '<number> <unit>' with one space between them: expected a mass (µg, mg, g), got '1e3 mg'"
    ),
    Rejection(
      text: "5. mg", dimension: .mass,
      message: "malformed number: expected a mass (µg, mg, g), got '5. mg'"),
    Rejection(
      text: ".5 mg", dimension: .mass, message: "expected a mass (µg, mg, g), got '.5 mg'"),
    Rejection(text: "", dimension: .mass, message: "expected a mass (µg, mg, g), got ''"),
    Rejection(
      text: "5 MG", dimension: .mass, message: "expected a mass (µg, mg, g), got '5 MG'"),
    Rejection(
      text: "5 mg ", dimension: .mass, message: "expected a mass (µg, mg, g), got '5 mg '"),
    Rejection(
      text: "10000000000000 g", dimension: .mass, message: "'10000000000000 g' is too large"),
    Rejection(
      text: "1234567890123456789 µg", dimension: .mass,
      message: "'1234567890123456789 µg' has too many digits (at most 18)"),
  ]

  @Test(
    "REQ-CONFIG-UNITS-02: malformed, wrong-dimension and too-fine quantities are rejected",
    arguments: rejections)
  func rejects(r: Rejection) {
    #expect(throws: Quantity.ParseError(message: r.message)) {
      try Quantity.parse(r.text, as: r.dimension)
    }
  }

  @Test("REQ-CONFIG-UNITS-02: a millisecond field rejects sub-millisecond times")
  func millisecondResolution() throws {
    #expect(try Quantity.parse("1.5 s", as: .time, resolution: 1000) == 1500)
    #expect(throws: Quantity.ParseError(message: "'0.5 ms' is finer than the resolution of 1 ms")) {
      try Quantity.parse("0.5 ms", as: .time, resolution: 1000)
    }
  }

  static let formatted: [(Int64, Quantity.Dimension, String)] = [
    (350, .mass, "0.35 mg"), (1, .mass, "0.001 mg"), (25_000, .massRate, "25 mg/h"),
    (5000, .concentration, "5 mg/mL"), (100, .flowRate, "0.1 mL/h"),
    (600_000, .flowRate, "600 mL/h"), (60_000, .volume, "60 mL"), (70_000, .weight, "70 kg"),
    (300_000_000, .time, "5 min"), (1_500_000, .time, "1500 ms"), (500, .time, "500 µs"),
    (86_400_000_000, .time, "1 d"), (90_000_000_000, .time, "25 h"),
    (19_994, .pressure, "19.994 psi"), (5, .percent, "5 %"), (0, .mass, "0 mg"),
  ]

  @Test(
    "REQ-CONFIG-UNITS-04: format prints exact text that parses back to the same value",
    arguments: formatted)
  func formatsAndRoundTrips(raw: Int64, dimension: Quantity.Dimension, text: String) throws {
    #expect(Quantity.format(raw, as: dimension) == text)
    #expect(try Quantity.parse(text, as: dimension) == raw)
  }

  @Test("REQ-CONFIG-UNITS-04: typed formatters")
  func typedFormatters() {
    #expect(Quantity.format(Micrograms(350)) == "0.35 mg")
    #expect(Quantity.format(Milliseconds.minutes(5)) == "5 min")
    #expect(Quantity.format(MicrolitersPerHour(100)) == "0.1 mL/h")
    #expect(Quantity.format(MicrogramsPerKilogram(350)) == "0.35 mg/kg")
    #expect(Quantity.format(MicrogramsPerKilogramHour(1000)) == "1 mg/kg/h")
    #expect(Quantity.format(MilliPSI.psi(10)) == "10 psi")
    #expect(Quantity.format(Grams.kilograms(70)) == "70 kg")
  }
}
