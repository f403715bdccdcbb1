import PumpCore
import PumpProtocol

/// A `pumpmon run` script: one command per line (`CommandParser` syntax), `#` comments, and a few
/// directives:
///
///     role clinician            # log in again as another role (roles take turns on one line)
///     wait 2s                   # keep the link running (telemetry, events, heartbeat)
///     try bolus                 # a NAK is reported but does not stop the script
///     expect mode infusing      # STATUS, then compare (prefix: infusing matches infusing(basal))
///     expect alarm vitals-stale # that alarm is active
///     expect no alarm           # no alarm is active
///
/// The whole script is parsed before anything is sent; errors name `file:line`.
public struct Script: Sendable {
  /// One step of a script, with its line number.
  public enum Step: Hashable, Sendable {
    case command(HostCommand, tolerateNak: Bool)
    case wait(Milliseconds)
    case role(Role)
    case expectMode(String)
    case expectAlarm(AlarmCode)
    case expectNoAlarm
  }

  public var file: String
  public var steps: [(line: Int, step: Step)]

  /// The role the script needs first: its first `role` line, or the first command's role.
  public var firstRole: Role? {
    for (_, step) in steps {
      if case .role(let r) = step { return r }
      if case .command(let c, _) = step, let r = c.requiredRoles.first { return r }
    }
    return nil
  }

  /// Parses a script.
  ///
  /// - Throws: `ScriptError` at the first bad line.
  public static func parse(
    _ text: String, file: String, readFile: CommandParser.FileReader = { _ in nil }
  ) throws(ScriptError) -> Script {
    var steps: [(Int, Step)] = []
    var n = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      n += 1
      var line = Substring(raw)
      if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(
        String.init)
      guard let first = words.first?.lowercased() else { continue }
      let rest = Array(words.dropFirst())
      func fail(_ m: String) -> ScriptError { ScriptError(file: file, line: n, message: m) }
      switch first {
      case "wait", "sleep":
        guard rest.count == 1 || rest.count == 2 else {
          throw fail("'wait' expects a time, e.g. wait 2s")
        }
        do throws(CommandError) {
          let ms = try CommandParser.quantity(rest, .time, what: "wait")
          guard ms <= 3_600_000 else { throw CommandError("wait: at most 1 h") }
          steps.append((n, .wait(Milliseconds(ms))))
        } catch { throw fail(error.message) }
      case "role":
        guard rest.count == 1, let r = Role(rawValue: rest[0].lowercased()), r != .observer else {
          throw fail(
            "'role' expects one of clinician, patient, vitals, service, found '\(rest.joined(separator: " "))'"
          )
        }
        steps.append((n, .role(r)))
      case "expect":
        steps.append((n, try expectation(rest, fail)))
      case "try":
        guard !rest.isEmpty else { throw fail("'try' expects a command") }
        do {
          steps.append(
            (
              n,
              .command(try CommandParser.parse(words: rest, readFile: readFile), tolerateNak: true)
            ))
        } catch { throw fail(error.message) }
      default:
        do {
          steps.append(
            (
              n,
              .command(
                try CommandParser.parse(words: words, readFile: readFile), tolerateNak: false)
            ))
        } catch { throw fail(error.message) }
      }
    }
    return Script(file: file, steps: steps)
  }

  static func expectation(_ w: [String], _ fail: (String) -> ScriptError) throws(ScriptError)
    -> Step
  {
    let low = w.map { $0.lowercased() }
    if low.count == 2, low[0] == "mode" { return .expectMode(low[1]) }
    if low == ["no", "alarm"] || low == ["no", "alarms"] { return .expectNoAlarm }
    if low.count == 2, low[0] == "alarm" {
      guard let c = WireNames.lookup(low[1], in: WireNames.alarms) else {
        throw fail("unknown alarm '\(w[1])' (expected \(WireNames.list(WireNames.alarms)))")
      }
      return .expectAlarm(c)
    }
    throw fail(
      "'expect' takes 'mode <mode>', 'alarm <name>' or 'no alarm', found '\(w.joined(separator: " "))'"
    )
  }
}

/// A script line that could not be parsed, or a script step that failed: `file:line: message`.
public struct ScriptError: Error, Hashable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var message: String

  public init(file: String, line: Int, message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  public var description: String { "\(file):\(line): \(message)" }
}
