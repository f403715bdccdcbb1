import PumpHost
import PumpProtocol

/// `pumpmon connect --plain` (and whenever stdout is not a terminal): one timestamped line per
/// link change, event, command result, and telemetry when the mode, alarms or rate change (or
/// every `everyMs`), until SIGINT/SIGTERM or `durationMs`.
struct PlainMonitor {
  let driver: SessionDriver
  var everyMs: Int64 = 10_000
  var json = false

  func run(durationMs: Int64?) {
    Signals.install()
    var last: (String, Int64)? = nil
    let json = self.json
    let every = everyMs
    func stamp(_ t: Int64) -> String {
      let f = t % 1000
      return "+\(t / 1000)." + (f < 10 ? "00" : f < 100 ? "0" : "") + "\(f)"
    }
    driver.onLink = { s, t in
      if json {
        Out.json(.object(["type": "link", "state": .string(s.label), "t_ms": .int(t)]))
      } else {
        Out.line("\(stamp(t)) LINK \(s.label)")
      }
    }
    driver.onObservation = { o, t in
      switch o {
      case .event(let e, let auth):
        if json {
          Out.json(JSONOutput.event(e, authenticated: auth, tMs: t))
        } else {
          Out.line("\(stamp(t)) EVT  \(Describe.event(e))")
        }
      case .telemetry(let tl, let auth):
        let key = "\(tl.mode)|\(tl.commandedRate)|\(tl.alarms)"
        guard last == nil || last!.0 != key || t - last!.1 >= every else { return }
        last = (key, t)
        if json {
          Out.json(JSONOutput.telemetry(tl, authenticated: auth, tMs: t))
        } else {
          Out.line("\(stamp(t)) TLM  \(Describe.telemetry(tl))")
        }
      case .gap(let n): if !json { Out.line("\(stamp(t)) LINK \(n) device frame(s) missed") }
      case .dropped(let why): if !json { Out.line("\(stamp(t)) LINK dropped frame: \(why)") }
      }
    }
    if let d = driver.state.device, !json {
      Out.line(
        "\(stamp(driver.elapsed)) LINK \(driver.state.link.label) to \(d.deviceId) on \(driver.state.port), line \(driver.state.lineSettings.map { "\($0.requested) (actual \($0.actual))" } ?? "?")"
      )
    }
    if let reply = try? driver.execute(.status), case .ack(.status(let t)) = reply.result,
      !json
    {
      Out.line("\(stamp(driver.elapsed)) TLM  \(Describe.telemetry(t))")
    }
    driver.run(forMs: durationMs ?? Int64.max / 4, until: { Signals.stopRequested })
  }
}
