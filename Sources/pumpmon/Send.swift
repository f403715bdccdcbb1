import ArgumentParser
import Foundation
import PumpHost
import PumpProtocol
import PumpTrace

/// `pumpmon send PORT <command> [args]`: one command, its reply, an exit status.
struct Send: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Send one command to a pump and exit with a status that says what happened.",
    discussion: """
      The command is parsed before the port is opened (a typo never reaches the pump). With a \
      device-secret key and no --role, pumpmon logs in with the role the command needs. Events \
      that arrive within --events ms after the reply are printed too.

      Commands:
      \(CommandParser.usage)

      Exit status: 0 ok, 2 NAK (refused; the reason is printed), 3 authentication failure or \
      missing key, 4 link failure (unknown port, no device, port lost), 5 no reply (the command \
      may or may not have run), 64 bad usage.

      Examples:
        pumpmon send KP-0001 status
        pumpmon send --latest --key pump.key start
        pumpmon send /tmp/ketapump-1000/kp-0001 --key pump.clinician.key rate 6mg/h --json
        pumpmon send KP-0001 --key pump.key --role service inject downstream 12psi
        pumpmon send KP-0001 --key pump.key program drug=1 area=acute_post_op conc=5mg/mL \\
          weight=70kg basal=5mg/h bolus=2mg lockout=10min limit_1h=15mg limit_4h=40mg
      """)

  @OptionGroup var port: PortOptions
  @OptionGroup var keys: KeyOptions

  @Argument(help: ArgumentHelp("The command and its arguments (see above).", valueName: "command"))
  var command: [String] = []

  @Flag(
    help:
      "Print one JSON object per line on stdout for the reply, each event and the link counters.")
  var json = false

  @Flag(help: "With --json, also print telemetry frames.")
  var telemetry = false

  @Option(help: "Milliseconds to wait for the reply (retransmitted every 500 ms).")
  var timeout: Int64 = 3000

  @Option(help: "Milliseconds to keep listening for events after the reply.")
  var events: Int64 = 300

  func run() throws {
    var words = command
    var portOptions = port
    if port.latest, let first = port.port {
      words.insert(first, at: 0)
      portOptions.port = nil
    }
    var role = Role.observer
    do {
      guard !words.isEmpty else {
        throw Failure("no command given (try: pumpmon send PORT status)", code: ExitStatus.usage)
      }
      let cmd = try CommandParser.parse(words: words, readFile: readText)
      let driver = try Connection.driver(
        port: portOptions, key: keys, defaultRole: cmd.requiredRoles.first ?? .clinician,
        command: "send")
      role = driver.session.role
      defer { driver.close() }
      Printer(json: json, telemetry: telemetry).attach(to: driver)
      try driver.connect()
      if !cmd.requiredRoles.isEmpty && role == .observer {
        let needed = cmd.requiredRoles.count == 1 ? cmd.requiredRoles[0].rawValue : "clinician"
        throw Failure(
          "\(cmd.roleMessage(loggedInAs: role)): give --key FILE (and --role \(needed))",
          code: ExitStatus.auth)
      }
      try driver.execute(cmd.request, timeoutMs: timeout)
      driver.run(forMs: events)
      if json { Out.json(JSONOutput.counters(driver.session.stats, tMs: driver.elapsed)) }
    } catch {
      let f = Report.describe(error, role: role)
      Out.error(f.message)
      if json, !isReply(error) { Out.json(JSONOutput.error(f.message, exit: f.code)) }
      throw ExitCode(f.code)
    }
  }
}

/// NAKs and uncertain outcomes were already printed as replies.
func isReply(_ error: any Error) -> Bool {
  guard let e = error as? ClientError else { return false }
  switch e {
  case .nak, .uncertain: return true
  default: return false
  }
}

/// Reads a text file named in a command (`program rx.yaml`).
func readText(_ path: String) -> String? {
  FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

/// Prints replies, events and link changes as lines (text or JSON).
struct Printer {
  var json: Bool
  var telemetry: Bool = false
  /// Extra fields for every JSON line (e.g. the script line).
  var extra: () -> [String: JSONValue] = { [:] }

  func attach(to driver: SessionDriver) {
    let json = self.json
    let telemetry = self.telemetry
    let extra = self.extra
    func merged(_ v: JSONValue) -> JSONValue {
      guard case .object(var o) = v else { return v }
      for (k, x) in extra() { o[k] = x }
      return .object(o)
    }
    driver.onReply = { r, reply, t in
      if json {
        if let reply {
          Out.json(merged(JSONOutput.reply(r, reply, tMs: t)))
        } else {
          Out.json(
            merged(
              .object([
                "type": "uncertain", "command": .string(CommandText.of(r)), "t_ms": .int(t),
                "message": "no reply after retransmissions: it may or may not have run",
              ])))
        }
      } else if let reply {
        Out.line(Describe.reply(reply))
      } else {
        Out.line("\(CommandText.of(r)): no reply (it may or may not have run)")
      }
    }
    driver.onObservation = { o, t in
      switch o {
      case .event(let e, let auth):
        if json {
          Out.json(merged(JSONOutput.event(e, authenticated: auth, tMs: t)))
        } else {
          Out.line("event: \(Describe.event(e))")
        }
      case .telemetry(let tl, let auth) where telemetry:
        if json {
          Out.json(merged(JSONOutput.telemetry(tl, authenticated: auth, tMs: t)))
        } else {
          Out.line("telemetry: \(Describe.telemetry(tl))")
        }
      case .gap(let n):
        if json {
          Out.json(merged(.object(["type": "gap", "missing": .int(Int64(n)), "t_ms": .int(t)])))
        }
      default: break
      }
    }
    driver.onLink = { s, t in
      guard json else { return }
      Out.json(merged(.object(["type": "link", "state": .string(s.label), "t_ms": .int(t)])))
    }
  }
}
