import ArgumentParser
import PumpHost
import PumpProtocol

/// `pumpmon audit PORT --key K`: the pump's non-volatile audit trail, oldest first.
struct Audit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the pump's audit trail (logins, failures, back-offs, privileged commands).",
    discussion: """
      Reads the records with AUDIT requests (clinician or service role; the reading itself is \
      audited). The trail lives in the pump's non-volatile memory and survives power loss and \
      kill -9 (docs/FIRMWARE.md). Records are printed oldest first: the newest --count ones.

      Examples:
        pumpmon audit KP-0001 --key pump.key
        pumpmon audit KP-0001 --key pump.clinician.key --count 20 --json
      """)

  @OptionGroup var port: PortOptions
  @OptionGroup var keys: KeyOptions

  @Option(help: "How many of the newest records to print (1-99999).")
  var count = 50

  @Flag(help: "One JSON object per record on stdout.")
  var json = false

  func validate() throws {
    guard (1...99_999).contains(count) else {
      throw ValidationError("--count must be 1-99999, got \(count)")
    }
  }

  func run() throws {
    var role = Role.observer
    do {
      let driver = try Connection.driver(
        port: port, key: keys, defaultRole: .clinician, command: "audit")
      role = driver.session.role
      defer { driver.close() }
      try driver.connect()
      guard role == .clinician || role == .service else {
        throw Failure(
          "AUDIT needs the clinician or service role (\(role == .observer ? "not logged in" : "logged in as \(role.rawValue)")): give --key FILE",
          code: ExitStatus.auth)
      }
      var entries: [AuditEntry] = []
      var back = 0
      while back < count {
        let reply = try driver.execute(.audit(back: back))
        guard case .ack(.audit(let e)) = reply.result else { break }
        entries.append(e)
        back += 1
        if back >= e.available { break }
      }
      for e in entries.reversed() {
        if json {
          Out.json(JSONOutput.audit(e))
        } else {
          Out.line(Describe.audit(e.record))
        }
      }
      if !json { Out.line("(\(entries.count) of \(entries.first?.available ?? 0) records)") }
    } catch {
      if case ClientError.nak(_, let n) = error, n.code == .rejected, n.detail == 5 {
        // invalidValue on back 0: the trail is empty.
        if !json { Out.line("(0 records)") }
        return
      }
      let f = Report.describe(error, role: role)
      Out.error(f.message)
      throw ExitCode(f.code)
    }
  }
}
