import PumpCore
import PumpHost
import PumpProtocol

/// Executes a parsed `Script` on a connected driver. Returns the exit status: 0, or the status of
/// the first failure (2 NAK, 3 auth, 4 link, 5 uncertain, 1 expectation), with `file:line` in
/// the message. `keepGoing` runs every line and returns the first failure's status at the end.
final class ScriptRunner {
  let driver: SessionDriver
  let keyPath: String?
  let keepGoing: Bool
  /// The line being executed (JSON output names it).
  private(set) var currentLine = 0

  init(driver: SessionDriver, keyPath: String?, keepGoing: Bool) {
    self.driver = driver
    self.keyPath = keyPath
    self.keepGoing = keepGoing
  }

  func run(_ script: Script, json: Bool) -> Int32 {
    var first: Int32 = 0
    for (line, step) in script.steps {
      if Signals.stopRequested { break }
      currentLine = line
      let status = execute(step, script: script, line: line, json: json)
      if status != 0 {
        if first == 0 { first = status }
        if !keepGoing { return status }
      }
    }
    return first
  }

  private func execute(_ step: Script.Step, script: Script, line: Int, json: Bool) -> Int32 {
    let role = driver.session.role
    func fail(_ message: String, _ code: Int32) -> Int32 {
      let text = "\(script.file):\(line): \(message)"
      Out.error(text)
      if json {
        Out.json(
          JSONOutput.error(
            text, exit: code, extra: ["file": .string(script.file), "line": .int(Int64(line))]))
      }
      return code
    }
    do {
      switch step {
      case .command(let cmd, let tolerate):
        if !cmd.requiredRoles.isEmpty && role == .observer {
          return fail("\(cmd.roleMessage(loggedInAs: role)): give --key FILE", ExitStatus.auth)
        }
        do { try driver.execute(cmd.request) } catch {
          if case .nak = error, tolerate { return 0 }
          throw error
        }
      case .wait(let ms): driver.run(forMs: ms.rawValue, until: { Signals.stopRequested })
      case .role(let r):
        guard let keyPath else {
          return fail("'role \(r.rawValue)' needs --key FILE", ExitStatus.auth)
        }
        let loaded: (deviceId: String, key: RoleKey)
        do { loaded = try KeyLocator(path: keyPath).load(role: r) } catch {
          return fail(error.description, ExitStatus.auth)
        }
        try driver.session.switchKey(loaded.key, deviceId: loaded.deviceId)
        if !json { Out.line("role: logged in as \(r.rawValue)") }
      case .expectMode(let want):
        let t = try status()
        let mode = WireNames.name(t.mode)
        guard mode == want || mode.hasPrefix(want + "(") else {
          return fail("expected mode \(want), found \(mode)", ExitStatus.expectation)
        }
        if !json { Out.line("expect mode \(want): ok (\(mode))") }
      case .expectAlarm(let code):
        let reply = try driver.execute(.alarms(offset: 0))
        guard case .ack(.alarms(let page)) = reply.result else {
          return fail("no ALARMS reply", ExitStatus.link)
        }
        guard page.alarms.contains(where: { $0.code == code }) else {
          let active = page.alarms.map { WireNames.name($0.code) }
          return fail(
            "expected alarm \(WireNames.name(code)), active: \(active.isEmpty ? "none" : active.joined(separator: ", "))",
            ExitStatus.expectation)
        }
        if !json { Out.line("expect alarm \(WireNames.name(code)): ok") }
      case .expectNoAlarm:
        let t = try status()
        guard t.alarmCount == 0 else {
          return fail(
            "expected no alarm, active: \(t.alarms.map { WireNames.name($0.code) }.joined(separator: ", "))",
            ExitStatus.expectation)
        }
        if !json { Out.line("expect no alarm: ok") }
      }
    } catch {
      let f = Report.describe(error, role: driver.session.role)
      return fail(f.message, f.code)
    }
    return 0
  }

  private func status() throws(ClientError) -> Telemetry {
    let reply = try driver.execute(.status)
    guard case .ack(.status(let t)) = reply.result else {
      throw ClientError.noDevice("no STATUS reply")
    }
    return t
  }
}
