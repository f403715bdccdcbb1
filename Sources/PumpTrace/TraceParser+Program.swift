import PumpCore
import PumpProtocol

extension TraceParser {
  /// The prescription fields a `program key=value …` line may change (the header's keys).
  static let programKeys = [
    "drug-entry", "care-area", "weight", "concentration", "basal", "loading", "bolus",
    "bolus-rate", "lockout", "max-boluses-per-hour", "limit-1h", "limit-4h", "vtbi", "kvo",
    "rate-increase-interval",
  ]

  /// `key=value` words from word `i` to the end of the line: the fields a re-programming
  /// changes, with the header's units (`basal=0.05mg/kg/h`, `lockout=15min`, `bolus=1 mg` is
  /// not one word: write `bolus=1mg`).
  func prescriptionChanges(from i: Int) throws(TraceError) -> [PrescriptionChange] {
    var out: [PrescriptionChange] = []
    var seen: Set<String> = []
    let keys = Self.programKeys.joined(separator: ", ")
    for t in lexer.tokens[i...] {
      let bytes = lexer.bytes
      guard let eq = bytes[t.start..<t.end].firstIndex(of: 0x3D), eq > t.start, eq + 1 < t.end
      else {
        throw error(
          at: t, "expected a prescription field as key=value (\(keys)), found '\(lexer.text(t))'")
      }
      let key = lexer.text(from: t.start, to: eq).lowercased()
      guard Self.programKeys.contains(key) else {
        throw error(at: t, "expected a prescription field (\(keys)), found '\(key)'")
      }
      guard seen.insert(key).inserted else { throw error(at: t, "'\(key)' given twice") }
      let v0 = eq + 1
      let raw = lexer.text(from: v0, to: t.end)
      var split = v0
      while split < t.end, TraceLexer.isDigit(bytes[split]) || bytes[split] == 0x2E { split += 1 }
      let value =
        split > v0 && split < t.end
        ? lexer.text(from: v0, to: split) + " " + lexer.text(from: split, to: t.end) : raw
      func q(_ d: Quantity.Dimension) throws(TraceError) -> Int64 {
        do { return try Quantity.parse(value, as: d) } catch {
          throw self.error(
            atByte: v0, "expected \(d.noun) (\(d.unitList)) for '\(key)', found '\(raw)'")
        }
      }
      func dose() throws(TraceError) -> DoseSpec {
        if let m = try? Quantity.parse(value, as: .mass) { return .absolute(Micrograms(m)) }
        if let k = try? Quantity.parse(value, as: .dosePerKg) {
          return .perKg(MicrogramsPerKilogram(k))
        }
        throw error(
          atByte: v0,
          "expected a mass (µg, mg, g) or a dose per kg (µg/kg, mg/kg) for '\(key)', found '\(raw)'"
        )
      }
      func ms() throws(TraceError) -> Milliseconds {
        guard let d = TraceTime.parse(bytes, v0, t.end) else {
          throw error(
            atByte: v0,
            "expected a duration (250ms, 12.5s, 3min, 2h, 1d) for '\(key)', found '\(raw)'")
        }
        return d
      }
      switch key {
      case "drug-entry":
        guard let id = UInt16(raw) else {
          throw error(atByte: v0, "expected a drug-library entry id 0…65535, found '\(raw)'")
        }
        out.append(.drugEntry(DrugEntryID(id)))
      case "care-area":
        out.append(.careArea(try name(raw, at: v0, TraceNames.careAreas, what: "a care area")))
      case "weight": out.append(.weight(Grams(try q(.weight))))
      case "concentration": out.append(.concentration(.init(try q(.concentration))))
      case "basal":
        if let r = try? Quantity.parse(value, as: .massRate) {
          out.append(.basal(.absolute(MicrogramsPerHour(r))))
        } else if let k = try? Quantity.parse(value, as: .doseRatePerKg) {
          out.append(.basal(.perKg(MicrogramsPerKilogramHour(k))))
        } else {
          throw error(
            atByte: v0,
            "expected a mass rate (µg/h, mg/h) or a dose rate per kg (µg/kg/h, mg/kg/h) for 'basal', found '\(raw)'"
          )
        }
      case "loading": out.append(.loading(try dose()))
      case "bolus": out.append(.bolus(try dose()))
      case "bolus-rate": out.append(.bolusRate(.init(try q(.flowRate))))
      case "lockout": out.append(.lockout(try ms()))
      case "max-boluses-per-hour":
        guard let n = Int64(raw), n >= 0, n <= 1000 else {
          throw error(atByte: v0, "expected a whole number 0…1000, found '\(raw)'")
        }
        out.append(.maxBolusesPerHour(n))
      case "limit-1h": out.append(.limit1h(try dose()))
      case "limit-4h": out.append(.limit4h(try dose()))
      case "vtbi": out.append(.vtbi(Microliters(try q(.volume))))
      case "kvo": out.append(.kvo(.init(try q(.flowRate))))
      default: out.append(.rateIncreaseInterval(try ms()))
      }
    }
    return out
  }
}
