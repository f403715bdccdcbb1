import PumpCore
import PumpProtocol

extension TraceParser {
  static let headerKeys = [
    "name", "description", "profile", "drug-entry", "care-area", "weight", "concentration",
    "basal", "loading", "bolus", "bolus-rate", "lockout", "max-boluses-per-hour", "limit-1h",
    "limit-4h", "vtbi", "kvo", "rate-increase-interval", "seed", "requirements",
    "expect-verdict", "start", "end", "vitals-stale-after", "patient", "patient-seed",
    "patient-monitor",
  ]

  /// `key: value` before the first timed line.
  mutating func headerLine(_ keyToken: Token) throws(TraceError) {
    let key = lexer.text(from: keyToken.start, to: keyToken.end - 1).lowercased()
    guard Self.headerKeys.contains(key) else {
      throw error(
        at: keyToken,
        "expected a header field (\(Self.headerKeys.joined(separator: ", "))), found '\(key)'")
    }
    guard !seenKeys.contains(key) else {
      throw error(at: keyToken, "header field '\(key)' given twice")
    }
    seenKeys.insert(key)
    let toks = lexer.tokens
    guard toks.count > 1 else {
      throw errorAtEnd("expected a value for '\(key)', found the end of the line")
    }
    let v0 = toks[1]
    let value = lexer.text(from: v0.start, to: toks[toks.count - 1].end)
    header.locations[key] = SourceLocation(line: lexer.lineNumber, column: lexer.column(v0.start))
    func q(_ d: Quantity.Dimension) throws(TraceError) -> Int64 {
      do { return try Quantity.parse(value, as: d) } catch {
        throw self.error(at: v0, "expected \(d.noun) (\(d.unitList)), found '\(value)'")
      }
    }
    func dose() throws(TraceError) -> DoseSpec {
      if let m = try? Quantity.parse(value, as: .mass) { return .absolute(Micrograms(m)) }
      if let k = try? Quantity.parse(value, as: .dosePerKg) {
        return .perKg(MicrogramsPerKilogram(k))
      }
      throw error(
        at: v0, "expected a mass (µg, mg, g) or a dose per kg (µg/kg, mg/kg), found '\(value)'")
    }
    func ms() throws(TraceError) -> Milliseconds {
      guard toks.count == 2 else { return Milliseconds(try q(.time) / 1000) }
      return try duration(v0)
    }
    switch key {
    case "name": header.name = value
    case "description": header.description = value
    case "profile": header.profile = value
    case "drug-entry":
      guard let id = UInt16(value) else {
        throw error(at: v0, "expected a drug-library entry id 0…65535, found '\(value)'")
      }
      header.drugEntry = DrugEntryID(id)
    case "care-area":
      header.careArea = try name(value, at: v0.start, TraceNames.careAreas, what: "a care area")
    case "weight": header.weight = Grams(try q(.weight))
    case "concentration": header.prescription.concentration = .init(try q(.concentration))
    case "basal":
      if let r = try? Quantity.parse(value, as: .massRate) {
        header.prescription.basal = .absolute(MicrogramsPerHour(r))
      } else if let k = try? Quantity.parse(value, as: .doseRatePerKg) {
        header.prescription.basal = .perKg(MicrogramsPerKilogramHour(k))
      } else {
        throw error(
          at: v0,
          "expected a mass rate (µg/h, mg/h) or a dose rate per kg (µg/kg/h, mg/kg/h), found '\(value)'"
        )
      }
    case "loading": header.prescription.loading = try dose()
    case "bolus": header.prescription.bolus = try dose()
    case "bolus-rate": header.prescription.bolusRate = .init(try q(.flowRate))
    case "lockout": header.prescription.lockout = try ms()
    case "max-boluses-per-hour":
      guard let n = Int64(value), n >= 0, n <= 1000 else {
        throw error(at: v0, "expected a whole number 0…1000, found '\(value)'")
      }
      header.prescription.maxBolusesPerHour = n
    case "limit-1h": header.prescription.limit1h = try dose()
    case "limit-4h": header.prescription.limit4h = try dose()
    case "vtbi": header.prescription.vtbi = Microliters(try q(.volume))
    case "kvo": header.prescription.kvoRate = .init(try q(.flowRate))
    case "rate-increase-interval": header.prescription.rateIncreaseInterval = try ms()
    case "seed":
      guard let s = UInt64(value) else {
        throw error(at: v0, "expected a seed 0…18446744073709551615, found '\(value)'")
      }
      header.seed = s
    case "requirements":
      var ids: [String] = []
      for t in toks.dropFirst() {
        var word = lexer.text(t)
        if word.hasSuffix(",") { word.removeLast() }
        if word.isEmpty { continue }
        guard Self.isRequirementID(word) else {
          throw error(at: t, "expected a requirement ID like REQ-VITALS-BANDS-01, found '\(word)'")
        }
        ids.append(word)
      }
      header.requirements = ids
    case "expect-verdict":
      guard let v = Verdict(rawValue: value.lowercased()) else {
        throw error(at: v0, "expected 'pass' or 'fail', found '\(value)'")
      }
      header.expectedVerdict = v
    case "start":
      guard let s = StartState(rawValue: value.lowercased()) else {
        throw error(
          at: v0, "expected a start state (self-test, idle, programmed, infusing), found '\(value)'"
        )
      }
      header.start = s
    case "end": header.end = try time(v0, relativeTo: .zero)
    case "patient":
      guard toks.count == 2, isPatientID(value) else {
        throw error(
          at: v0,
          "expected a patient id (a file name in HardwareProfiles/patients), found '\(value)'")
      }
      header.patient = value
    case "patient-seed":
      guard let s = UInt64(value) else {
        throw error(at: v0, "expected a seed 0…18446744073709551615, found '\(value)'")
      }
      header.patientSeed = s
    case "patient-monitor":
      guard let m = PatientMonitor(rawValue: value.lowercased()) else {
        throw error(at: v0, "expected 'default' or 'clean', found '\(value)'")
      }
      header.patientMonitor = m
    default:  // vitals-stale-after
      let d = try ms()
      guard d.rawValue > 0 else {
        throw error(at: v0, "expected a duration above 0, found '\(value)'")
      }
      header.staleAfter = d
    }
  }

  /// A patient file stem: letters, digits, `-`, `_`, `.` (no path separators).
  func isPatientID(_ s: String) -> Bool {
    !s.isEmpty && !s.hasPrefix(".")
      && s.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || $0 == "-" || $0 == "_" || $0 == "."
      }
  }

  /// `REQ-` followed by at least two dash-separated groups of capitals and digits.
  static func isRequirementID(_ s: String) -> Bool {
    let parts = s.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 3, parts[0] == "REQ" else { return false }
    return parts.dropFirst().allSatisfy { p in
      !p.isEmpty
        && p.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
  }
}
