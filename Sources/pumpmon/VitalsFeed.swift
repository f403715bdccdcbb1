import ArgumentParser
import PumpCore
import PumpHost
import PumpProtocol
import PumpTrace

/// `pumpmon vitals PORT --from vitals.csv [--rate N]`.
struct VitalsFeed: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vitals",
    abstract: "Feed a recorded vitals series to a pump as the patient monitor (vitals role).",
    discussion: """
      The CSV needs a header row with a time column (time, t, timestamp, elapsed: seconds) and \
      any of sbp, dbp, hr, spo2, rr (monitor aliases such as NIBP_SYS, Solar8000/HR, pulse are \
      accepted; separators , ; or tab; empty cells and - are missing values; the same reader as \
      trace 'vitals csv' lines, docs/TRACES.md). Samples are sent at their \
      times divided by --rate, and the link is kept alive in between.

      Exit status: 0 every sample accepted, 2 a sample was refused, 3 authentication, 4 link, \
      5 no reply, 64 bad usage or CSV (file:line).

      Examples:
        pumpmon vitals KP-0001 --from monitor.csv --key pump.vitals.key
        pumpmon vitals KP-0001 --from monitor.csv --key pump.key --rate 60 --json
      """)

  @OptionGroup var port: PortOptions
  @OptionGroup var keys: KeyOptions

  @Option(help: ArgumentHelp("The vitals CSV file.", valueName: "csv"))
  var from: String

  @Option(help: "Playback speed: 1 = the recorded pace, 10 = ten times faster (1-10000).")
  var rate: Double = 1

  @Flag(help: "Print one JSON object per line for every reply and event.")
  var json = false

  func validate() throws {
    guard rate >= 1, rate <= 10_000 else {
      throw ValidationError("--rate must be between 1 and 10000, got \(rate)")
    }
  }

  func run() throws {
    var role = Role.observer
    do {
      guard let text = readText(from) else {
        throw Failure("cannot read vitals file \(from)", code: ExitStatus.usage)
      }
      let rows: [VitalsCSV.Row]
      do {
        rows = try VitalsCSV.rows(bytes: Array(text.utf8), file: from)
      } catch {
        throw ScriptError(file: from, line: error.line, message: error.message)
      }
      guard !rows.isEmpty else { throw Failure("\(from): no samples", code: ExitStatus.usage) }
      let driver = try Connection.driver(
        port: port, key: keys, defaultRole: .vitals, command: "vitals")
      role = driver.session.role
      defer { driver.close() }
      Signals.install()
      Printer(json: json).attach(to: driver)
      try driver.connect()
      if role == .observer {
        throw Failure(
          "feeding vitals needs the vitals role: give --key FILE", code: ExitStatus.auth)
      }
      let start = SessionDriver.now()
      for row in rows {
        if Signals.stopRequested { break }
        let due = start + Int64(Double(row.atMs) / rate)
        let wait = due - SessionDriver.now()
        if wait > 0 { driver.run(forMs: wait, until: { Signals.stopRequested }) }
        try driver.execute(.vitals(row.sample))
      }
      driver.run(forMs: 200)
      if json { Out.json(JSONOutput.counters(driver.session.stats, tMs: driver.elapsed)) }
    } catch {
      let f = Report.describe(error, role: role)
      Out.error(f.message)
      if json, !isReply(error) { Out.json(JSONOutput.error(f.message, exit: f.code)) }
      throw ExitCode(f.code)
    }
  }
}
