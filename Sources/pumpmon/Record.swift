import ArgumentParser
import PumpCore
import PumpHost
import PumpProtocol
import PumpTrace

/// `pumpmon record PORT --out session.trace`.
struct Record: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Record a live session as a replayable trace (docs/TRACES.md).",
    discussion: """
      Everything seen is recorded: commands sent (from --script), vitals, events and telemetry. \
      The trace header comes from the device (profile) and the first prescription programmed; \
      the body has each command as a trace action and expectations derived from what the pump \
      reported (expect accepted / rejected(reason), expect mode M at T, expect alarm X priority \
      P within 2s, expect bolus granted|denied(reason), expect motor running|stopped). The file \
      is rewritten every 2 s and at the end, so an interrupted recording keeps what it saw. \
      Replay it with `pumpmon replay session.trace`.

      Records until --duration passes (after the script, if any) or until Ctrl-C. A lost link \
      is reconnected and noted in the trace.

      Examples:
        pumpmon record KP-0001 --out ward.trace --key pump.key --script ward.txt
        pumpmon record --latest --out idle.trace --duration 30s
        pumpmon connect KP-0001 --key pump.key --record live.trace   (record the dashboard)
      """)

  @OptionGroup var port: PortOptions
  @OptionGroup var keys: KeyOptions

  @Option(help: ArgumentHelp("The trace file to write.", valueName: "file"))
  var out: String

  @Option(
    help: ArgumentHelp("Commands to run while recording (`pumpmon run` syntax).", valueName: "file")
  )
  var script: String?

  @Option(
    help: ArgumentHelp(
      "How long to record after the script, e.g. 30s, 5min (default: until Ctrl-C; 0 with --script).",
      valueName: "time"))
  var duration: String?

  @Flag(help: "Print replies and events as JSON lines on stdout.")
  var json = false

  func run() throws {
    var role = Role.observer
    do {
      var waitMs: Int64? = nil
      if let d = duration {
        do { waitMs = try CommandParser.parseTime(d) } catch {
          throw Failure("--duration: \(error.message)", code: ExitStatus.usage)
        }
      } else if script != nil {
        waitMs = 0
      }
      var parsed: Script?
      if let s = script {
        guard let text = readText(s) else {
          throw Failure("cannot read script file \(s)", code: ExitStatus.usage)
        }
        parsed = try Script.parse(text, file: s, readFile: readText)
      }
      let driver = try Connection.driver(
        port: port, key: keys, defaultRole: parsed?.firstRole ?? .clinician, reconnect: true,
        command: "record")
      role = driver.session.role
      let recorder = TraceRecorder(
        path: out, now: SessionDriver.now(), fallback: CommandParser.defaultPrescription)
      driver.recorder = recorder
      defer { driver.close() }
      Signals.install()
      let runner = ScriptRunner(driver: driver, keyPath: keys.key, keepGoing: false)
      Printer(json: json).attach(to: driver)
      try driver.connect()
      // A first STATUS gives the starting mode even without telemetry.
      if let reply = try? driver.session.request(.status), case .ack(.status(let t)) = reply.result
      {
        recorder.observed(.telemetry(t, authenticated: false), at: SessionDriver.now())
      }
      var status: Int32 = 0
      if let parsed { status = runner.run(parsed, json: json) }
      driver.run(forMs: waitMs ?? Int64.max / 4, until: { Signals.stopRequested })
      recorder.flush()
      Out.error("recorded to \(out)")
      if status != 0 { throw ExitCode(status) }
    } catch let e as ExitCode {
      throw e
    } catch {
      let f = Report.describe(error, role: role)
      Out.error(f.message)
      if json, !isReply(error) { Out.json(JSONOutput.error(f.message, exit: f.code)) }
      throw ExitCode(f.code)
    }
  }
}
