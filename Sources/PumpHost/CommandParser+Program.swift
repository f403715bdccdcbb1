import PumpConfig
import PumpCore
import PumpProtocol

extension CommandParser {
  /// Prescription fields in the order `program` lists them, with the value each takes in the
  /// `ward-adult` template.
  static let programKeys: [(key: String, help: String)] = [
    ("drug", "drug-library entry id (1)"), ("area", "care area (acute_post_op)"),
    ("conc", "concentration (5mg/mL)"), ("weight", "patient weight (70kg)"),
    ("basal", "basal rate (5mg/h)"), ("loading", "loading dose (0mg)"),
    ("bolus", "patient bolus dose (2mg)"), ("bolus_rate", "bolus rate (60mL/h)"),
    ("lockout", "bolus lockout (10min)"), ("max_per_hour", "boluses per hour (4)"),
    ("limit_1h", "1 h limit (15mg)"), ("limit_4h", "4 h limit (40mg)"),
    ("vtbi", "volume to be infused (60mL)"), ("kvo", "keep-vein-open rate (0.1mL/h)"),
    ("rate_interval", "minimum time between rate increases (1h)"),
  ]

  /// The `ward-adult` template: the ward ketamine PCA of docs/TRACES.md (5 mg/mL, basal 5 mg/h,
  /// 2 mg boluses, 10 min lockout, 15 mg/h and 40 mg/4 h limits: the example ward protocol of
  /// ../shared/REFERENCE.md with its < 50 kg cap as the 1-h limit). Used only when named.
  public static let defaultPrescription = Prescription(
    drugEntry: DrugEntryID(1), careArea: .acutePostOp,
    concentration: MicrogramsPerMilliliter(5000), patientWeight: Grams(70_000),
    basalRate: MicrogramsPerHour(5000), loadingDose: .zero, bolusDose: Micrograms(2000),
    bolusRate: MicrolitersPerHour(60_000), lockout: .minutes(10), maxBolusesPerHour: 4,
    limit1h: Micrograms(15_000), limit4h: Micrograms(40_000), vtbi: Microliters(60_000),
    kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))

  /// Named templates `program template=NAME …` starts from (every other field must be given).
  public static let templates: [(name: String, prescription: Prescription)] = [
    ("ward-adult", defaultPrescription)
  ]

  /// `program <file>` (a flat YAML mapping `key: value`, `#` comments) or `program key=value…`.
  static func program(_ args: [String], readFile: FileReader) throws(CommandError) -> HostCommand {
    var pairs: [(String, String)] = []
    if args.count == 1, !args[0].contains("=") {
      guard let text = readFile(args[0]) else {
        throw CommandError("program: cannot read prescription file '\(args[0])'")
      }
      var n = 0
      for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        n += 1
        var line = Substring(raw)
        if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
        let t = String(line).trimmingSpaces
        if t.isEmpty || t == "---" { continue }
        guard let colon = t.firstIndex(of: ":") else {
          throw CommandError("\(args[0]):\(n): expected 'key: value', found '\(t)'")
        }
        let k = String(t[..<colon]).trimmingSpaces
        var v = String(t[t.index(after: colon)...]).trimmingSpaces
        if v.count >= 2, v.first == "\"" || v.first == "'", v.last == v.first {
          v = String(v.dropFirst().dropLast())
        }
        pairs.append((k, v))
      }
    } else {
      for a in args {
        let kv = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard kv.count == 2, !kv[0].isEmpty else {
          throw CommandError("program: expected key=value or a prescription file, found '\(a)'")
        }
        pairs.append((String(kv[0]), String(kv[1])))
      }
    }
    let rx = try prescription(pairs)
    return HostCommand(request: .program(rx), raisesDelivery: false, summary: describe(rx))
  }

  /// Builds a prescription from `key`/`value` pairs. Every field must be given — a prescription
  /// is a safety setting, and a silently filled lockout or dose limit is a hazard (issue 14) —
  /// unless `template=NAME` names one of `templates`: the other fields then come from it, and
  /// the command's summary prints every field.
  public static func prescription(_ pairs: [(String, String)]) throws(CommandError)
    -> Prescription
  {
    var p = defaultPrescription
    var seen: Set<String> = []
    var fields = pairs
    if let i = pairs.firstIndex(where: { WireNames.fold($0.0) == "template" }) {
      let name = pairs[i].1
      guard let t = templates.first(where: { $0.name == name }) else {
        throw CommandError(
          "template: unknown template '\(name)' (expected \(templates.map(\.name).joined(separator: ", ")))"
        )
      }
      p = t.prescription
      fields.remove(at: i)
      guard !fields.contains(where: { WireNames.fold($0.0) == "template" }) else {
        throw CommandError("program: 'template' given twice")
      }
    }
    for (rawKey, value) in fields {
      let key = canonicalKey(WireNames.fold(rawKey))
      guard !seen.contains(key) else { throw CommandError("program: '\(rawKey)' given twice") }
      seen.insert(key)
      func q(_ d: Quantity.Dimension) throws(CommandError) -> Int64 {
        try quantity(value, d, field: rawKey)
      }
      func int(_ range: ClosedRange<Int64>) throws(CommandError) -> Int64 {
        guard let n = Int64(value), range.contains(n) else {
          throw CommandError(
            "\(rawKey): expected a whole number \(range.lowerBound)-\(range.upperBound), found '\(value)'"
          )
        }
        return n
      }
      switch key {
      case "drug", "drugentry": p.drugEntry = DrugEntryID(UInt16(try int(0...65_535)))
      case "area", "carearea":
        if let n = Int64(value), let a = CareArea(rawValue: UInt8(clamping: n)) {
          p.careArea = a
        } else if let a = WireNames.lookup(value, in: WireNames.careAreas) {
          p.careArea = a
        } else {
          throw CommandError(
            "\(rawKey): expected a care area (\(WireNames.list(WireNames.careAreas))), found '\(value)'"
          )
        }
      case "conc", "concentration": p.concentration = .init(try q(.concentration))
      case "weight": p.patientWeight = Grams(try q(.weight))
      case "basal": p.basalRate = MicrogramsPerHour(try q(.massRate))
      case "loading": p.loadingDose = Micrograms(try q(.mass))
      case "bolus": p.bolusDose = Micrograms(try q(.mass))
      case "bolusrate": p.bolusRate = MicrolitersPerHour(try q(.flowRate))
      case "lockout": p.lockout = Milliseconds(try q(.time))
      case "maxperhour", "maxbolusesperhour": p.maxBolusesPerHour = try int(0...999)
      case "limit1h": p.limit1h = Micrograms(try q(.mass))
      case "limit4h": p.limit4h = Micrograms(try q(.mass))
      case "vtbi": p.vtbi = Microliters(try q(.volume))
      case "kvo": p.kvoRate = MicrolitersPerHour(try q(.flowRate))
      case "rateinterval", "rateincreaseinterval":
        p.rateIncreaseInterval = Milliseconds(try q(.time))
      default:
        throw CommandError(
          "program: unknown field '\(rawKey)' (expected \(programKeys.map(\.key).joined(separator: ", ")))"
        )
      }
    }
    if fields.count == pairs.count {
      let missing = programKeys.map(\.key).filter {
        !seen.contains(canonicalKey(WireNames.fold($0)))
      }
      guard missing.isEmpty else {
        throw CommandError(
          "program: missing \(missing.joined(separator: ", ")): every prescription field must be given, or name a template to start from (template=\(templates.map(\.name).joined(separator: "|"))); nothing was sent"
        )
      }
    }
    return p
  }

  /// One spelling per field (`drug_entry` and `drug` are the same field).
  static func canonicalKey(_ folded: String) -> String {
    switch folded {
    case "drugentry": "drug"
    case "carearea": "area"
    case "concentration": "conc"
    case "maxbolusesperhour": "maxperhour"
    case "rateincreaseinterval": "rateinterval"
    default: folded
    }
  }

  /// `program drug=1 area=acute-post-op conc=5mg/mL …`: every field in human units, in a form
  /// `program` reads back.
  public static func describe(_ p: Prescription) -> String {
    func c(_ s: String) -> String { s.filter { $0 != " " } }
    return
      "program drug=\(p.drugEntry.rawValue) area=\(WireNames.name(p.careArea, in: WireNames.careAreas))"
      + " conc=\(c(Quantity.format(p.concentration))) weight=\(c(Quantity.format(p.patientWeight)))"
      + " basal=\(c(Quantity.format(p.basalRate))) loading=\(c(Quantity.format(p.loadingDose)))"
      + " bolus=\(c(Quantity.format(p.bolusDose))) bolus_rate=\(c(Quantity.format(p.bolusRate)))"
      + " lockout=\(c(Quantity.format(p.lockout))) max_per_hour=\(p.maxBolusesPerHour)"
      + " limit_1h=\(c(Quantity.format(p.limit1h))) limit_4h=\(c(Quantity.format(p.limit4h)))"
      + " vtbi=\(c(Quantity.format(p.vtbi))) kvo=\(c(Quantity.format(p.kvoRate)))"
      + " rate_interval=\(c(Quantity.format(p.rateIncreaseInterval)))"
  }
}
