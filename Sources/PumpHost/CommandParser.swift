import PumpConfig
import PumpCore
import PumpProtocol

/// Turns the commands people type (`start`, `rate 6mg/h`, `vitals sbp=120 hr=80`, `inject
/// downstream 12psi`, `clock advance 60s`, `program rx.yaml` or `program key=value…`) into
/// `HostRequest`s. Words are case-insensitive; quantities use PumpConfig's exact unit parser
/// (`Quantity.parse`), written `12psi` or `12 psi`. Never traps: every problem is a
/// `CommandError` naming the word and what was expected.
public enum CommandParser {
  /// Reads a file named on a command line (`program rx.yaml`); nil when unreadable.
  public typealias FileReader = (String) -> String?

  /// One line per command, for help texts and error messages.
  public static let usage = """
    status | alarms [offset] | log [n] | version | counters | patient | ping | telemetry <Hz 0-100>
    program <rx.yaml> | program key=value... (every field: drug area conc weight basal
            loading bolus bolus_rate lockout max_per_hour limit_1h limit_4h vtbi kvo
            rate_interval; or template=ward-adult and the fields that differ)
    confirm | start | pause | resume | stop | logout
    rate <mass rate, e.g. 6mg/h> | cbolus <mass, e.g. 2mg> | bolus
    vitals sbp=<mmHg> dbp=<mmHg> hr=</min> spo2=<%> rr=</min> (any subset)
    ack | silence | reset
    inject downstream|upstream <pressure> | door open|closed | air <volume> | mains on|off
           battery <time> | stall on|off | runaway on|off | sensorfail on|off | reservoir <volume>
           occlusion downstream|upstream on|off | power off|on|on-failing | link on|off
           fault self-test|watchdog|software|sensor|journal|motor
    clock advance <time> | clock mode real|virtual
    """

  static let verbs =
    "status, alarms, log, version, counters, patient, ping, telemetry, program, confirm, start, pause, "
    + "resume, stop, logout, rate, cbolus, bolus, vitals, ack, silence, reset, inject, clock"

  /// Parses one command line.
  ///
  /// - Parameters:
  ///   - line: the command and its arguments, separated by spaces.
  ///   - readFile: reads `program <file>` prescriptions.
  /// - Throws: `CommandError` for an empty line, an unknown command or a bad argument.
  public static func parse(_ line: String, readFile: FileReader = { _ in nil })
    throws(CommandError) -> HostCommand
  {
    try parse(
      words: line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init),
      readFile: readFile)
  }

  /// Parses a command already split into words (`pumpmon send PORT rate 6mg/h`).
  public static func parse(words: [String], readFile: FileReader = { _ in nil })
    throws(CommandError) -> HostCommand
  {
    guard let first = words.first else {
      throw CommandError("expected a command (\(verbs))")
    }
    let verb = first.lowercased()
    let args = Array(words.dropFirst())
    func simple(_ r: HostRequest, _ raises: Bool = false) throws(CommandError) -> HostCommand {
      guard args.isEmpty else {
        throw CommandError("'\(verb)' takes no arguments, found '\(args.joined(separator: " "))'")
      }
      return HostCommand(request: r, raisesDelivery: raises, summary: verb)
    }
    switch verb {
    case "status": return try simple(.status)
    case "version": return try simple(.version)
    case "counters": return try simple(.counters)
    case "patient": return try simple(.patient)
    case "ping": return try simple(.ping)
    case "confirm": return try simple(.confirmSoftLimits)
    case "start": return try simple(.start, true)
    case "pause": return try simple(.pause)
    case "resume": return try simple(.resume, true)
    case "stop": return try simple(.stop)
    case "logout": return try simple(.logout)
    case "bolus", "press": return try simple(.patientBolus, true)
    case "ack", "acknowledge", "ackalm": return try simple(.acknowledgeAlarms)
    case "silence", "audio-pause", "audiopause": return try simple(.audioPause)
    case "reset": return try simple(.clinicianReset)
    case "alarms":
      let n = try optionalInt(args, "alarms", "an offset", 0...99)
      return HostCommand(request: .alarms(offset: n), raisesDelivery: false, summary: "alarms")
    case "log":
      let n = try optionalInt(args, "log", "an entry number (0 = newest)", 0...99_999)
      return HostCommand(request: .logTail(back: n), raisesDelivery: false, summary: "log \(n)")
    case "audit":
      let n = try optionalInt(args, "audit", "a record number (0 = newest)", 0...99_999)
      return HostCommand(request: .audit(back: n), raisesDelivery: false, summary: "audit \(n)")
    case "telemetry", "tlmrate":
      let compact = args.count == 2 && args[1].lowercased() == "compact"
      guard args.count == 1 || compact, let hz = Int(args[0]), (0...100).contains(hz) else {
        throw CommandError(
          "'\(verb)' expects a rate 0-100 Hz [compact], found '\(args.joined(separator: " "))'")
      }
      if compact {
        return HostCommand(
          request: .setCompactTelemetry(hertz: hz), raisesDelivery: false,
          summary: "telemetry \(hz) Hz compact")
      }
      return HostCommand(
        request: .setTelemetry(hertz: hz), raisesDelivery: false, summary: "telemetry \(hz) Hz")
    case "rate":
      let v = try quantity(args, .massRate, what: "rate")
      return HostCommand(
        request: .changeBasalRate(MicrogramsPerHour(v)), raisesDelivery: true,
        summary: "rate \(Quantity.format(v, as: .massRate))")
    case "cbolus", "clinician-bolus":
      let v = try quantity(args, .mass, what: verb)
      guard v >= 1 else { throw CommandError("'\(verb)' needs a dose above 0") }
      return HostCommand(
        request: .clinicianBolus(Micrograms(v)), raisesDelivery: true,
        summary: "clinician bolus \(Quantity.format(v, as: .mass))")
    case "vitals": return try vitals(args)
    case "inject": return try inject(args)
    case "clock": return try clock(args)
    case "program": return try program(args, readFile: readFile)
    default:
      throw CommandError("unknown command '\(first)' (expected one of: \(verbs))")
    }
  }

  static func optionalInt(
    _ args: [String], _ verb: String, _ what: String, _ range: ClosedRange<Int>
  )
    throws(CommandError) -> Int
  {
    if args.isEmpty { return 0 }
    guard args.count == 1, let n = Int(args[0]), range.contains(n) else {
      throw CommandError(
        "'\(verb)' expects \(what) \(range.lowerBound)-\(range.upperBound), found '\(args.joined(separator: " "))'"
      )
    }
    return n
  }

  /// A quantity written as one word (`12psi`) or two (`12 psi`), in the dimension's base unit.
  static func quantity(_ args: [String], _ d: Quantity.Dimension, what: String)
    throws(CommandError) -> Int64
  {
    guard !args.isEmpty, args.count <= 2 else {
      throw CommandError("'\(what)' expects \(d.noun) (\(d.unitList)), e.g. \(example(d))")
    }
    return try quantity(args.joined(separator: " "), d, field: what)
  }

  /// Parses `12psi`, `12 psi`, `0.1mL/h` exactly. Time values are returned in ms.
  static func quantity(_ text: String, _ d: Quantity.Dimension, field: String)
    throws(CommandError) -> Int64
  {
    var t = text.trimmingSpaces
    if let i = t.firstIndex(where: { !($0.isNumber || $0 == ".") }), t[i] != " " {
      t.insert(" ", at: i)
    }
    do {
      return try Quantity.parse(t, as: d, resolution: d == .time ? 1000 : 1)
    } catch {
      throw CommandError("\(field): \(error.message)")
    }
  }

  static func example(_ d: Quantity.Dimension) -> String {
    switch d {
    case .mass: "2mg"
    case .massRate: "5mg/h"
    case .pressure: "12psi"
    case .volume: "60mL"
    case .flowRate: "60mL/h"
    case .time: "60s"
    case .concentration: "5mg/mL"
    case .weight: "70kg"
    default: "1 \(d.unitList.split(separator: ",").first ?? "")"
    }
  }

  static func onOff(_ word: String, _ what: String) throws(CommandError) -> Bool {
    switch word.lowercased() {
    case "on", "1", "true", "yes": return true
    case "off", "0", "false", "no": return false
    default: throw CommandError("'\(what)' expects on or off, found '\(word)'")
    }
  }

  static func vitals(_ args: [String]) throws(CommandError) -> HostCommand {
    var v = VitalsSample()
    guard !args.isEmpty else {
      throw CommandError("'vitals' expects name=value pairs: sbp= dbp= hr= spo2= rr= (0-999)")
    }
    for a in args {
      let kv = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard kv.count == 2 else {
        throw CommandError("'vitals' expects name=value, found '\(a)' (e.g. sbp=120)")
      }
      let value: Int32?
      if kv[1].isEmpty || kv[1] == "-" {
        value = nil
      } else {
        guard let n = Int32(kv[1]), (0...999).contains(n) else {
          throw CommandError("vitals \(kv[0]): expected a whole number 0-999, found '\(kv[1])'")
        }
        value = n
      }
      switch kv[0].lowercased() {
      case "sbp": v.sbp = value
      case "dbp": v.dbp = value
      case "hr": v.hr = value
      case "spo2": v.spo2 = value
      case "rr": v.rr = value
      default:
        throw CommandError("unknown vital '\(kv[0])' (expected sbp, dbp, hr, spo2, rr)")
      }
    }
    guard v.sbp != nil || v.dbp != nil || v.hr != nil || v.spo2 != nil || v.rr != nil else {
      throw CommandError("'vitals' needs at least one value")
    }
    return HostCommand(
      request: .vitals(v), raisesDelivery: false, summary: "vitals \(describe(v))")
  }

  /// `SBP=120 DBP=80 HR=80` (present values only).
  public static func describe(_ v: VitalsSample) -> String {
    var parts: [String] = []
    if let x = v.sbp { parts.append("SBP=\(x)") }
    if let x = v.dbp { parts.append("DBP=\(x)") }
    if let x = v.hr { parts.append("HR=\(x)") }
    if let x = v.spo2 { parts.append("SpO2=\(x)") }
    if let x = v.rr { parts.append("RR=\(x)") }
    return parts.joined(separator: " ")
  }

  static func clock(_ args: [String]) throws(CommandError) -> HostCommand {
    guard let what = args.first?.lowercased() else {
      throw CommandError("'clock' expects 'advance <time>' or 'mode real|virtual'")
    }
    switch what {
    case "advance":
      let ms = try quantity(Array(args.dropFirst()), .time, what: "clock advance")
      guard (1...86_400_000).contains(ms) else {
        throw CommandError(
          "clock advance: expected 1 ms to 24 h, found '\(args.dropFirst().joined(separator: " "))'"
        )
      }
      return HostCommand(
        request: .clock(.advance(Milliseconds(ms))), raisesDelivery: false,
        summary: "clock advance \(Quantity.format(Milliseconds(ms)))")
    case "mode":
      guard args.count == 2, let m = ClockMode(rawValue: args[1].uppercased()) else {
        throw CommandError("'clock mode' expects real or virtual")
      }
      return HostCommand(
        request: .clock(.mode(m)), raisesDelivery: false,
        summary: "clock mode \(args[1].lowercased())")
    default:
      throw CommandError(
        "'clock' expects 'advance <time>' or 'mode real|virtual', found '\(args[0])'")
    }
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " || s.first == "\t" { s = s.dropFirst() }
    while s.last == " " || s.last == "\t" || s.last == "\r" { s = s.dropLast() }
    return String(s)
  }
}

extension CommandParser {
  /// A time such as `30s`, `5 min`, `1.5s`, in ms.
  public static func parseTime(_ text: String) throws(CommandError) -> Int64 {
    try quantity(text, .time, field: "time")
  }
}
