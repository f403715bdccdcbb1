import PumpHost
import SerialTransport

#if canImport(Glibc)
  import Glibc
#endif

/// `pumpmon connect --raw`: a tio-like passthrough. Keys go to the port as typed (Enter sends
/// CR); what the port sends is shown with a `[+s.mmm]` timestamp at each line start, or as a
/// hex dump with `--hex`. Ctrl-] quits. A lost port is reopened when it returns. With stdin
/// not a terminal, its bytes are sent and the passthrough ends 500 ms after its end.
struct RawPassthrough {
  let port: ResolvedPort
  let settings: LineSettings
  let resolver: PortResolver
  let hex: Bool
  let log: TrafficLog?
  let durationMs: Int64?

  func run() throws(Failure) {
    var device: SerialDevice
    do { device = try SerialDevice.open(path: port.path, settings: settings) } catch {
      throw Failure("cannot open \(port.path): \(error)", code: ExitStatus.link)
    }
    Signals.install()
    let tty = isatty(0) == 1 && Terminal.enter()
    defer { if tty { Terminal.restore() } }
    // Raw passthrough keeps the main screen: leave the alternate screen Terminal.enter chose.
    if tty { Terminal.write("\u{1B}[?1049l\u{1B}[?25h") }
    let start = SessionDriver.now()
    let nl = tty ? "\r\n" : "\n"
    Terminal.write(
      "[pumpmon raw] \(port) line \(device.requested) (actual \(device.actual)); "
        + (tty ? "Ctrl-] quits" : "stdin is sent") + nl)
    var atLineStart = true
    var stdinOpen = true
    var stdinClosedAt: Int64?
    var alive = true
    var buf = [UInt8](repeating: 0, count: 1024)
    var hexLine: [UInt8] = []
    var hexAt: Int64 = 0
    func stamp(_ t: Int64) -> String {
      let ms = t - start
      let f = ms % 1000
      return "[+\(ms / 1000)." + (f < 10 ? "00" : f < 100 ? "0" : "") + "\(f)] "
    }
    func flushHex() {
      guard !hexLine.isEmpty else { return }
      let h = Array("0123456789ABCDEF")
      var s = stamp(hexAt)
      for b in hexLine { s += "\(h[Int(b >> 4)])\(h[Int(b & 15)]) " }
      s += String(repeating: "   ", count: 16 - hexLine.count) + " |"
      for b in hexLine { s += (0x20...0x7E).contains(b) ? String(UnicodeScalar(b)) : "." }
      Terminal.write(s + "|" + nl)
      hexLine.removeAll()
    }
    func show(_ bytes: [UInt8]) {
      let now = SessionDriver.now()
      if hex {
        for b in bytes {
          if hexLine.isEmpty { hexAt = now }
          hexLine.append(b)
          if hexLine.count == 16 { flushHex() }
        }
        return
      }
      var out = ""
      for b in bytes {
        if atLineStart {
          out += stamp(now)
          atLineStart = false
        }
        switch b {
        case 0x0A:
          out += nl
          atLineStart = true
        case 0x0D: break
        case 0x20...0x7E: out.unicodeScalars.append(UnicodeScalar(b))
        default:
          let h = Array("0123456789ABCDEF")
          out += "\\x\(h[Int(b >> 4)])\(h[Int(b & 15)])"
        }
      }
      Terminal.write(out)
    }
    while !Signals.stopRequested {
      if let d = durationMs, SessionDriver.now() - start >= d { break }
      if let c = stdinClosedAt, SessionDriver.now() - c >= 500 { break }
      var fds = [pollfd(fd: Signals.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
      fds.append(pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0))
      fds.append(
        pollfd(fd: alive ? device.pollDescriptor.rawValue : -1, events: Int16(POLLIN), revents: 0))
      _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), 250) }
      if fds[0].revents != 0 { Signals.drain() }
      if hex, !hexLine.isEmpty, SessionDriver.now() - hexAt > 100 { flushHex() }
      if stdinOpen, fds[1].revents != 0 {
        let n = read(0, &buf, buf.count)
        if n <= 0 {
          stdinOpen = false
          stdinClosedAt = SessionDriver.now()
        } else {
          var bytes = Array(buf[0..<n])
          if tty, bytes.contains(0x1D) { break }
          if tty { bytes = bytes.flatMap { $0 == 0x0D ? [0x0D, 0x0A] : [$0] } }
          if alive {
            log?.record(sent: true, bytes: bytes)
            _ = bytes.withUnsafeBytes { device.write($0) }
          }
        }
      }
      if alive {
        readLoop: while true {
          switch buf.withUnsafeMutableBytes({ device.read(into: $0) }) {
          case .bytes(let n):
            let bytes = Array(buf[0..<n])
            log?.record(sent: false, bytes: bytes)
            show(bytes)
          case .wouldBlock: break readLoop
          case .hangup, .closed:
            device.close()
            alive = false
            log?.note("link lost")
            Terminal.write(
              "\(atLineStart ? "" : nl)[pumpmon raw] link lost; waiting for \(port.path)\(nl)")
            atLineStart = true
            break readLoop
          }
        }
      } else if port.recordName.map(resolver.recordIsLive) ?? (access(port.path, F_OK) == 0) {
        if let d = try? SerialDevice.open(path: port.path, settings: settings) {
          device = d
          alive = true
          log?.note("link back")
          Terminal.write("[pumpmon raw] link back on \(port.path)\(nl)")
        }
      }
    }
    flushHex()
    if !atLineStart { Terminal.write(nl) }
    device.close()
  }
}
