import PumpHost
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// The interactive dashboard: one thread polls stdin, the port and the signal pipe (`poll(2)`,
/// at most 250 ms, no busy loop), applies keys, steps the session and redraws.
final class Dashboard {
  enum Input {
    case normal
    case command(String)
    case confirm(HostCommand)
  }

  let driver: SessionDriver
  let keyPath: String?
  private var input = Input.normal
  private var status = Styled(
    "connected: b bolus, p pause, r resume, a acknowledge, s audio pause, : command, q quit")
  private var quit = false
  private var dirty = true
  private var lastDraw: Int64 = 0
  /// The screen is redrawn at least this often (ms); the patient panel is read as often.
  static let refreshMs: Int64 = 500

  init(driver: SessionDriver, keyPath: String?) {
    self.driver = driver
    self.keyPath = keyPath
    driver.onObservation = { [unowned self] _, _ in self.dirty = true }
    driver.onLink = { [unowned self] _, _ in self.dirty = true }
    driver.onPatient = { [unowned self] _ in self.dirty = true }
  }

  /// Runs until q, Ctrl-C, SIGINT/SIGTERM/SIGHUP or the terminal goes away. The terminal is
  /// restored on every exit path.
  func run() {
    Signals.install(winch: true)
    guard Terminal.enter() else { return }
    defer { Terminal.restore() }
    var buf = [UInt8](repeating: 0, count: 256)
    while !quit && !Signals.stopRequested {
      var fds = [
        pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
        pollfd(fd: Signals.wakeDescriptor, events: Int16(POLLIN), revents: 0),
      ]
      if let p = driver.session.pollDescriptor {
        fds.append(pollfd(fd: p, events: Int16(POLLIN), revents: 0))
      }
      let timeout = min(250, driver.session.idleTimeoutMs)
      _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
      if fds[1].revents != 0 { Signals.drain() }
      if Signals.takeResize() { dirty = true }
      if fds[0].revents & Int16(POLLIN) != 0 {
        let n = read(0, &buf, buf.count)
        if n > 0 { keys(Array(buf[0..<n])) } else if n == 0 { quit = true }
      } else if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
        quit = true
      }
      driver.step()
      let now = SessionDriver.now()
      if dirty || now - lastDraw >= Self.refreshMs { draw() }
    }
  }

  private func draw() {
    let (cols, rows) = Terminal.size()
    let view = DashboardView(
      state: driver.state, status: statusLine(), now: SessionDriver.now(),
      startedAt: driver.started)
    var out = "\u{1B}[H"
    for (i, line) in view.lines(cols: cols, rows: rows).enumerated() {
      if i > 0 { out += "\r\n" }
      out += line.render(width: cols)
    }
    Terminal.write(out)
    dirty = false
    lastDraw = SessionDriver.now()
  }

  private func statusLine() -> Styled {
    switch input {
    case .normal: return status
    case .command(let text): return Styled(":", .bold) + Styled(text + "█")
    case .confirm(let c):
      return Styled("CONFIRM ", .redBlock) + Styled(" \(c.summary)? (y/n)", .bold)
    }
  }

  private func keys(_ bytes: [UInt8]) {
    dirty = true
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      i += 1
      if b == 0x1B {
        // Escape: cancels a prompt; a CSI/SS3 sequence (arrow keys…) is skipped whole.
        if i < bytes.count, bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "O") {
          i += 1
          while i < bytes.count, !(0x40...0x7E).contains(bytes[i]) { i += 1 }
          i += 1
          continue
        }
        if case .normal = input {
        } else {
          input = .normal
          status = Styled("cancelled", .grey)
        }
        continue
      }
      key(b)
      if quit { return }
    }
  }

  private func key(_ b: UInt8) {
    switch input {
    case .confirm(let c):
      input = .normal
      if b == UInt8(ascii: "y") || b == UInt8(ascii: "Y") {
        perform(c)
      } else {
        status = Styled("cancelled: \(c.summary)", .grey)
      }
    case .command(var text):
      switch b {
      case 0x0D, 0x0A:
        input = .normal
        commandLine(text)
      case 0x7F, 0x08:
        if !text.isEmpty { text.removeLast() }
        input = .command(text)
      case 0x03: input = .normal
      case 0x20...0x7E:
        text.unicodeScalars.append(Unicode.Scalar(b))
        input = .command(text)
      default: break
      }
    case .normal:
      switch b {
      case UInt8(ascii: "q"), 0x03: quit = true
      case UInt8(ascii: ":"): input = .command("")
      case UInt8(ascii: "b"): ask(.patientBolus, "patient bolus")
      case UInt8(ascii: "p"): ask(.pause, "pause")
      case UInt8(ascii: "r"): ask(.resume, "resume")
      case UInt8(ascii: "a"): ask(.acknowledgeAlarms, "acknowledge alarms")
      case UInt8(ascii: "s"): ask(.audioPause, "audio pause")
      default: break
      }
    }
  }

  /// Confirms first when the request starts or raises delivery.
  private func ask(_ r: HostRequest, _ summary: String) {
    let raises = [RequestKind.patientBolus, .resume, .start, .changeRate, .clinicianBolus]
      .contains(r.kind)
    submit(HostCommand(request: r, raisesDelivery: raises, summary: summary))
  }

  private func submit(_ c: HostCommand) {
    if c.raisesDelivery {
      input = .confirm(c)
    } else {
      perform(c)
    }
  }

  private func commandLine(_ text: String) {
    let words = text.split(separator: " ").map(String.init)
    guard let verb = words.first?.lowercased() else { return }
    switch verb {
    case "q", "quit", "exit": quit = true
    case "help", "?":
      for l in CommandParser.usage.split(separator: "\n") {
        driver.note(String(l))
      }
      driver.note("also: role <clinician|patient|vitals|service>, help, quit")
      status = Styled("commands listed in the event log")
    case "role": switchRole(words.dropFirst().first)
    default:
      do { submit(try CommandParser.parse(words: words, readFile: readText)) } catch {
        status = Styled("\(error.message)", .red)
      }
    }
  }

  private func switchRole(_ name: String?) {
    guard let name, let role = Role(rawValue: name.lowercased()), role != .observer else {
      status = Styled("role: expected clinician, patient, vitals or service", .red)
      return
    }
    guard let keyPath else {
      status = Styled("role: start pumpmon with --key FILE to log in", .red)
      return
    }
    do {
      let k = try KeyLocator(path: keyPath).load(role: role)
      status = Styled("logging in as \(role.rawValue)…")
      draw()
      try driver.session.switchKey(k.key, deviceId: k.deviceId)
      status = Styled("logged in as \(role.rawValue)", .green)
    } catch let e as ClientError {
      status = Styled(Report.explain(e, role: role), .red)
    } catch {
      status = Styled("\(error)", .red)
    }
  }

  private func perform(_ c: HostCommand) {
    let role = driver.session.role
    if !c.requiredRoles.isEmpty && role == .observer {
      status = Styled("\(c.roleMessage(loggedInAs: role)): start pumpmon with --key FILE", .red)
      return
    }
    status = Styled("sending \(c.summary)…")
    draw()
    do {
      let reply = try driver.execute(c.request)
      status = Styled("✓ \(CommandText.of(c.request)): \(Describe.reply(reply))", .green)
    } catch {
      status = Styled(Report.explain(error, role: role), .red)
    }
  }
}
