import PumpConfig
import PumpCore
import PumpHost
import PumpProtocol

/// Lays out the dashboard from a `MonitorState`: pure, so it can be reasoned about without a
/// terminal. Sizes below `minCols` × `minRows` get the "terminal too small" message.
struct DashboardView {
  static let minCols = 80
  static let minRows = 24

  var state: MonitorState
  /// The bottom line: prompt, confirmation or last result.
  var status: Styled
  var now: Int64
  /// When the monitor started (event times are shown relative to it).
  var startedAt: Int64

  func lines(cols: Int, rows: Int) -> [Styled] {
    guard cols >= Self.minCols, rows >= Self.minRows else {
      var out = [Styled](repeating: Styled(), count: rows)
      let msg = "terminal too small (need \(Self.minCols)x\(Self.minRows), have \(cols)x\(rows))"
      out[max(rows / 2 - 1, 0)] = Styled(String(msg.prefix(cols)), .yellow)
      if rows > 2 { out[rows / 2] = Styled(String("resize, or q to quit".prefix(cols))) }
      return out
    }
    let up = state.link.isUp
    var body: [Styled] = []
    body += device()
    body.append(rule("therapy"))
    body += therapy()
    body.append(rule("vitals"))
    body += vitals()
    if let p = state.patient {
      body.append(rule("simulated patient \(p.profileID) seed \(p.seed) (not pump data)"))
      body += patient(p)
    }
    body.append(rule("alarms (\(state.telemetry?.alarmCount ?? 0))"))
    body += alarms()
    if !up { body = body.map { $0.all(.grey) } }
    var out = [header()] + body
    out.append(rule("events"))
    let logRows = max(rows - out.count - 2, 0)
    let entries = state.log.suffix(logRows)
    for e in entries {
      let style: Styled.Style = e.level >= 3 ? .red : e.level == 2 ? .yellow : .plain
      out.append(Styled("\(clock(e.at)) ", .grey) + Styled(e.text, style))
    }
    while out.count < rows - 2 { out.append(Styled()) }
    out.append(status)
    out.append(
      Styled(
        " b bolus  p pause  r resume  a acknowledge  s audio pause  : command  q quit ",
        .reverse))
    return Array(out.prefix(rows))
  }

  func header() -> Styled {
    var s = Styled(" KetaPump monitor ", .reverse)
    let d = state.device
    s.add(" \(d?.deviceId ?? "?") ", .bold)
    switch state.link {
    case .loggedIn, .connected: s.add("[\(state.link.label)]", .green)
    case .connecting: s.add("[connecting]", .yellow)
    case .lost: s.add("[LINK LOST] showing last state, reconnecting", .redBlock)
    case .reconnecting(let n, _):
      s.add("[LINK LOST] showing last state, reconnect attempt \(n)", .redBlock)
    }
    return s
  }

  func device() -> [Styled] {
    let d = state.device
    let st = state.stats
    var a = Styled(
      "firmware \(d?.firmwareVersion ?? "?")  protocol \(d.map { "\($0.protocolVersion)" } ?? "?")")
    a.add("  profile \(d?.hardwareProfile ?? "?")  role \(state.role.rawValue)")
    var b = Styled()
    if let ls = state.lineSettings {
      b.add("line \(ls.requested) (actual \(ls.actual))  ")
    }
    b.add("port \(state.port)")
    var c = Styled("link errors: crc \(st.crcErrors)  dropped \(st.framesDropped)  gaps \(st.gaps)")
    c.add("  retransmits \(st.retransmits)  timeouts \(st.timeouts)  bad-mac \(st.badMac)")
    c.add("  reconnects \(st.reconnects)")
    let bad = st.crcErrors + st.framesDropped + st.gaps + st.timeouts + st.badMac > 0
    return [a, b, bad ? c.all(.yellow) : c]
  }

  func therapy() -> [Styled] {
    guard let t = state.telemetry else { return [Styled("waiting for telemetry…", .grey)] }
    let age = now - state.telemetryAt
    var m = Styled("MODE ", .bold)
    let modeStyle: Styled.Style =
      switch t.mode {
      case .infusing, .kvo: .green
      case .fault, .interlockStopped: .red
      case .paused: .yellow
      default: .bold
      }
    m.add(WireNames.name(t.mode).uppercased(), modeStyle)
    m.add(
      "   rate commanded \(Quantity.format(t.commandedRate))  measured \(Quantity.format(t.measuredRate))"
    )
    let lockout = Milliseconds(max(t.lockoutRemaining.rawValue - (state.link.isUp ? age : 0), 0))
    var l = Styled("lockout ")
    l.add(lockout > .zero ? Describe.clock(lockout) : "none", lockout > .zero ? .yellow : .plain)
    l.add("   bolus demands \(t.bolusDemands)  delivered \(t.bolusDeliveries)")
    l.add("   total delivered \(Quantity.format(t.deliveredTotal))")
    var r = Styled(
      "reservoir \(Quantity.format(t.reservoir))   battery \(Describe.clock(t.batteryRemaining))")
    r.add(t.onMains ? " (mains)" : " (on battery)", t.onMains ? .plain : .yellow)
    r.add(
      "   pressure up \(Quantity.format(t.upstreamPressure))  down \(Quantity.format(t.downstreamPressure))"
    )
    return [
      m, bar("1 h", t.delivered1h, t.limit1h), bar("4 h", t.delivered4h, t.limit4h), l, r,
    ]
  }

  func bar(_ label: String, _ v: Micrograms, _ limit: Micrograms) -> Styled {
    let width = 30
    let frac = limit.rawValue > 0 ? min(Double(v.rawValue) / Double(limit.rawValue), 1) : 0
    let filled = Int((frac * Double(width)).rounded(.down))
    let style: Styled.Style = frac >= 0.9 ? .red : frac >= 0.7 ? .yellow : .green
    var s = Styled("\(label) [")
    s.add(String(repeating: "█", count: filled), style)
    s.add(String(repeating: "·", count: width - filled), .grey)
    s.add("] \(Quantity.format(v)) of \(Quantity.format(limit)) (\(Int(frac * 100))%)")
    return s
  }

  func vitals() -> [Styled] {
    guard let t = state.telemetry else { return [Styled()] }
    func v(_ name: String, _ vital: Vital, _ value: Int32?, _ unit: String) -> Styled {
      var s = Styled("\(name) ", .bold)
      s.add(value.map { "\($0)" } ?? "--")
      s.add(" \(unit) ", .grey)
      s.add(spark(state.series(vital, last: 12)), .cyan)
      s.add("  ")
      return s
    }
    let age = t.vitalsAge.map { "age \(Describe.seconds($0))" } ?? "no sample yet"
    let a =
      v("SBP", .sbp, t.vitals.sbp, "mmHg") + v("DBP", .dbp, t.vitals.dbp, "mmHg")
      + v("HR", .hr, t.vitals.hr, "/min")
    let b =
      v("SpO2", .spo2, t.vitals.spo2, "%") + v("RR", .rr, t.vitals.rr, "/min")
      + Styled(age, (t.vitalsAge?.rawValue ?? 0) > 5000 ? .yellow : .grey)
    return [a, b]
  }

  /// The simulated patient: its model (Cp, Ce, pain, dissociation, presses) and its true
  /// HR/SBP/DBP next to what the monitor last reported to the pump.
  func patient(_ p: PatientReadout) -> [Styled] {
    func d(_ t: Int64) -> String { "\(t / 10).\(t % 10)" }
    var a = Styled("Cp ", .bold)
    a.add("\(d(p.plasmaTenths))")
    a.add("  Ce ", .bold)
    a.add("\(d(p.effectSiteTenths)) ng/mL")
    a.add("  pain ", .bold)
    a.add("\(d(p.painTenths))/10", p.painTenths >= 40 ? .yellow : .plain)
    a.add("  dissociation \(d(p.dissociationTenths))  presses \(p.presses)")
    let m = state.telemetry?.vitals
    func pair(_ name: String, _ truth: Int64, _ monitored: Int32?) -> Styled {
      var s = Styled("  \(name) ", .bold)
      s.add(d(truth))
      s.add("/\(monitored.map { "\($0)" } ?? "--")", .grey)
      return s
    }
    var b = Styled("true/monitor", .grey)
    b =
      b + pair("HR", p.hrTenths, m?.hr) + pair("SBP", p.sbpTenths, m?.sbp)
      + pair("DBP", p.dbpTenths, m?.dbp)
    b.add("   patient t \(Describe.clock(p.time))", .grey)
    return [a, b]
  }

  func spark(_ values: [Int32]) -> String {
    guard let lo = values.min(), let hi = values.max() else { return "" }
    let ticks = Array("▁▂▃▄▅▆▇█")
    return String(
      values.map { x in
        hi == lo ? ticks[3] : ticks[Int((Double(x - lo) / Double(hi - lo) * 7).rounded())]
      })
  }

  func alarms() -> [Styled] {
    guard let t = state.telemetry, !t.alarms.isEmpty else { return [Styled("none", .grey)] }
    var out: [Styled] = []
    for a in t.alarms.prefix(3) {
      let style: Styled.Style =
        a.priority == .high ? .redBlock : a.priority == .medium ? .yellow : .cyan
      var s = Styled(" \(WireNames.name(a.priority).uppercased()) ", style)
      s.add(" \(WireNames.name(a.code))")
      s.add(
        a.acknowledged ? "  acknowledged" : "  not acknowledged", a.acknowledged ? .grey : .bold)
      if a.audioPauseRemaining > .zero {
        s.add("  audio paused \(Describe.clock(a.audioPauseRemaining))", .cyan)
      }
      out.append(s)
    }
    if t.alarmCount > 3 { out.append(Styled("… \(t.alarmCount - 3) more (:alarms)", .grey)) }
    return out
  }

  func rule(_ title: String) -> Styled {
    Styled("── \(title) " + String(repeating: "─", count: 60), .grey)
  }

  /// `00:01:23` since the monitor started.
  func clock(_ at: Int64) -> String {
    let rel = max(at - startedAt, 0) / 1000
    let two = { (v: Int64) in v < 10 ? "0\(v)" : "\(v)" }
    return "\(two(rel / 3600)):\(two(rel / 60 % 60)):\(two(rel % 60))"
  }

}
