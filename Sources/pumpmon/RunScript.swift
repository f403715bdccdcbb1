import ArgumentParser
import PumpHost
import PumpProtocol

/// `pumpmon run PORT script.txt`.
struct RunScript: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a script of commands against a pump (for shell scripts and CI).",
    discussion: """
      One command per line (as for `pumpmon send`), `#` comments, and directives:
        role <clinician|patient|vitals|service>   log in again as that role (needs the device \
      secret, or the role key files keygen wrote beside --key)
        wait <time>                               keep the link running, e.g. wait 2s
        try <command>                             a NAK is printed but does not stop the script
        expect mode <mode>                        e.g. expect mode infusing, expect mode paused(alarm)
        expect alarm <name> | expect no alarm

      The whole script is parsed first: a malformed line is reported as file:line and nothing is \
      sent (exit 64). The script stops at the first failure unless --keep-going.

      Exit status: 0 ok, 1 an expectation failed, 2 NAK, 3 authentication, 4 link, 5 no reply, \
      64 bad usage or script.

      Examples (ward.txt, then the command):
        role vitals
        vitals sbp=125 dbp=75 hr=80 spo2=97 rr=14
        role clinician
        program basal=5mg/h bolus=2mg lockout=10min
        start
        expect mode infusing

        pumpmon run KP-0001 ward.txt --key pump.key --json
      """)

  @OptionGroup var port: PortOptions
  @OptionGroup var keys: KeyOptions

  @Argument(help: ArgumentHelp("The script file.", valueName: "script"))
  var script: String?

  @Flag(help: "Print one JSON object per line on stdout for every reply, event and failure.")
  var json = false

  @Flag(help: "Run every line even after a failure; exit with the first failure's status.")
  var keepGoing = false

  func run() throws {
    var portOptions = port
    var file = script
    if port.latest, file == nil, let p = port.port {
      file = p
      portOptions.port = nil
    }
    var role = Role.observer
    do {
      guard let file else { throw Failure("no script file given", code: ExitStatus.usage) }
      guard let text = readText(file) else {
        throw Failure("cannot read script file \(file)", code: ExitStatus.usage)
      }
      let parsed = try Script.parse(text, file: file, readFile: readText)
      let driver = try Connection.driver(
        port: portOptions, key: keys, defaultRole: parsed.firstRole ?? .clinician, command: "run")
      role = driver.session.role
      defer { driver.close() }
      Signals.install()
      let runner = ScriptRunner(driver: driver, keyPath: keys.key, keepGoing: keepGoing)
      Printer(json: json, extra: { ["line": .int(Int64(runner.currentLine))] }).attach(to: driver)
      try driver.connect()
      let status = runner.run(parsed, json: json)
      driver.run(forMs: 200)
      if json { Out.json(JSONOutput.counters(driver.session.stats, tMs: driver.elapsed)) }
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
