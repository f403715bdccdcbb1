import ArgumentParser
import PumpHost
import PumpProtocol
import PumpTrace

#if canImport(Glibc)
  import Glibc
#endif

/// `pumpmon connect PORT`: the dashboard, a plain log, or a raw passthrough.
struct Connect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Monitor and drive a pump: full-screen dashboard, plain log, or raw passthrough.",
    discussion: """
      The dashboard shows device and link state (requested vs actual line settings, link error \
      counters), mode, commanded and measured rate, delivered total and the rolling 1 h / 4 h \
      amounts against their limits, the lockout countdown, bolus demands and deliveries, \
      reservoir, battery, the latest vitals with their age and sparklines, active alarms by \
      priority with acknowledge and audio-pause state, and an event log. On a simulator with a \
      patient (pumpsim run --patient) a patient panel shows its Cp, Ce, pain and presses and \
      its true HR/SBP/DBP next to the monitored ones (PATIENT, read at the refresh rate); a pump \
      without one shows no panel. If the port vanishes \
      (simulator restarted, adapter pulled) it shows LINK LOST with the last state greyed and \
      reconnects and logs in again by itself.

      Keys: b patient bolus, p pause, r resume, a acknowledge alarms, s audio pause, q or Ctrl-C \
      quit, : command line (any `pumpmon send` command, `role <role>` to log in as another role, \
      `help`). Anything that starts or raises delivery (bolus, resume, start, rate, cbolus) asks \
      for confirmation (y). Needs at least 80x24.

      --plain (automatic when stdout is not a terminal) prints one timestamped line per event, \
      link change and telemetry change. --raw is a tio-like passthrough with [+s.mmm] \
      timestamps per line (--hex for a hex dump); Ctrl-] quits.

      Examples:
        pumpmon connect KP-0001 --key pump.key --role clinician
        pumpmon connect --latest                        (observer: watch only)
        pumpmon connect /dev/ttyUSB0 --baud 115200 --raw --log wire.log
        pumpmon connect KP-0001 --plain --duration 60s > session.log
        pumpmon connect KP-0001 --key pump.key --record live.trace
      """)

  @OptionGroup var port: PortOptions
  @OptionGroup var keys: KeyOptions

  @Flag(help: "Raw passthrough: bytes as they are, with per-line timestamps.")
  var raw = false

  @Flag(help: "With --raw: hex dump view.")
  var hex = false

  @Flag(help: "Line-by-line log instead of the dashboard (default when stdout is not a terminal).")
  var plain = false

  @Flag(help: "With --plain: JSON lines.")
  var json = false

  @Option(
    help: ArgumentHelp(
      "Also record the session as a trace (see pumpmon record).", valueName: "file"))
  var record: String?

  @Option(
    help:
      "Telemetry rate to ask for after logging in, 0-100 Hz (the device refuses a rate the line cannot carry; without --key the device's own rate)."
  )
  var hz: Int = 2

  @Option(
    help: ArgumentHelp("Stop after this long (plain and raw modes), e.g. 30s.", valueName: "time"))
  var duration: String?

  func validate() throws {
    guard (0...100).contains(hz) else { throw ValidationError("--hz must be 0-100, got \(hz)") }
    if hex && !raw { throw ValidationError("--hex needs --raw") }
    if raw && (record != nil || json) {
      throw ValidationError("--raw shows bytes only: use --log FILE to keep them")
    }
  }

  func run() throws {
    var role = Role.observer
    do {
      var durationMs: Int64?
      if let d = duration {
        do { durationMs = try CommandParser.parseTime(d) } catch {
          throw Failure("--duration: \(error.message)", code: ExitStatus.usage)
        }
      }
      if raw {
        try rawMode(durationMs)
        return
      }
      let dashboard = !plain && isatty(1) == 1 && isatty(0) == 1
      let driver = try Connection.driver(
        port: port, key: keys, defaultRole: .clinician, telemetryHz: hz, reconnect: true,
        patientPollMs: dashboard ? Dashboard.refreshMs : nil, command: "connect")
      role = driver.session.role
      if let record {
        driver.recorder = TraceRecorder(
          path: record, now: SessionDriver.now(), fallback: CommandParser.defaultPrescription)
      }
      defer { driver.close() }
      try driver.connect()
      if dashboard {
        Dashboard(driver: driver, keyPath: keys.key).run()
      } else {
        PlainMonitor(driver: driver, json: json).run(durationMs: durationMs)
      }
    } catch {
      let f = Report.describe(error, role: role)
      Terminal.restore()
      Out.error(f.message)
      if json { Out.json(JSONOutput.error(f.message, exit: f.code)) }
      throw ExitCode(f.code)
    }
  }

  private func rawMode(_ durationMs: Int64?) throws(Failure) {
    let settings = try port.settings()
    let resolved = try port.resolve()
    var log: TrafficLog?
    if let path = port.log {
      do {
        log = try TrafficLog(
          path: path, header: "pumpmon connect --raw on \(resolved), requested \(settings)")
      } catch { throw Failure(error.description, code: ExitStatus.usage) }
    }
    defer { log?.close() }
    try RawPassthrough(
      port: resolved, settings: settings, resolver: port.resolver, hex: hex, log: log,
      durationMs: durationMs
    ).run()
  }
}
