import Foundation
import PumpCore

/// A self-contained HTML report (inline CSS and SVG, no scripts, well-formed XML): a summary
/// table, then per trace its plots — vitals with their warning and critical bands, commanded
/// and delivered rate, rolling 1-h and 4-h doses against the limits, mode, alarm intervals by
/// priority and bolus presses — and its expectations. Failed expectations are red dashed
/// lines on every plot.
public enum HTMLReport {
  public static func html(_ results: [TraceResult], title: String = "KetaPump trace replay")
    -> String
  {
    var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
    h += "<title>\(JUnitReport.esc(title))</title><style>\(css)</style></head><body>"
    h += "<h1>\(JUnitReport.esc(title))</h1>"
    let ok = results.filter { $0.asExpected && $0.error == nil }.count
    h +=
      "<p class=\"lead\">\(ok) of \(results.count) traces as expected. Simulator output, not a medical device.</p>"
    h +=
      "<table class=\"summary\"><tr><th>trace</th><th>result</th><th>verdict</th><th>expected</th>"
    h += "<th>checks</th><th>simulated</th><th>events</th><th>wall</th></tr>"
    for (i, r) in results.enumerated() {
      let good = r.asExpected && r.error == nil
      h += "<tr><td><a href=\"#t\(i)\">\(JUnitReport.esc(r.name))</a></td>"
      h +=
        "<td class=\"\(good ? "ok" : "bad")\">\(r.skipped != nil ? "skipped" : good ? "ok" : "FAILED")</td><td>\(r.skipped != nil ? "-" : r.verdict.rawValue)</td>"
      h +=
        "<td>\(r.expectedVerdict.rawValue)</td><td>\(r.expectations.filter(\.passed).count)/\(r.expectations.count)</td>"
      h +=
        "<td>\(TraceTime.format(r.simulated))</td><td>\(r.events)</td><td>\(SummaryReport.ms(r.wallNanoseconds))</td></tr>"
    }
    h += "</table>"
    for (i, r) in results.enumerated() { h += section(r, id: "t\(i)") }
    h += "</body></html>\n"
    return h
  }

  static let css = """
    body{font-family:sans-serif;margin:20px;color:#222;max-width:1220px}
    h1{font-size:22px}h2{font-size:18px;margin-top:34px;border-top:2px solid #ccc;padding-top:12px}
    table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 7px;text-align:left}
    th{background:#f0f0f0}.ok{color:#17702a;font-weight:bold}.bad{color:#b00020;font-weight:bold}
    .lead{font-size:14px}.meta{font-size:13px;color:#555}svg{display:block;margin:6px 0}
    pre{font-size:12px;background:#f7f7f7;padding:6px;margin:2px 0;white-space:pre-wrap}
    """

  static func section(_ r: TraceResult, id: String) -> String {
    let good = r.asExpected && r.error == nil
    var h = "<h2 id=\"\(id)\">\(JUnitReport.esc(r.name)) <span class=\"\(good ? "ok" : "bad")\">"
    h += good ? (r.expectedVerdict == .fail ? "failed as expected" : "passed") : "FAILED"
    h +=
      "</span></h2><p class=\"meta\">\(JUnitReport.esc(r.file)) · simulated \(TraceTime.format(r.simulated))"
    h +=
      " · \(r.events) events · requirements: \(JUnitReport.esc(r.requirements.joined(separator: ", ")))</p>"
    if let e = r.error { h += "<p class=\"bad\">\(JUnitReport.esc(e))</p>" }
    if let why = r.skipped { h += "<p>\(JUnitReport.esc(why))</p>" }
    if let log = r.log {
      let tl = Timeline(log)
      let end = max(r.simulated, Milliseconds(1000))
      let fails = r.failures
      if hasPatient(log) {
        h += patientPlot(log, tl, policy: r.policy, end: end, fails: fails)
      }
      h += vitalsPlot(log, policy: r.policy, end: end, fails: fails)
      h += ratePlot(tl, r.prescription, end: end, fails: fails)
      h += dosePlot(tl, r.prescription, end: end, fails: fails)
      h += eventsPlot(tl, end: end, fails: fails)
    }
    h += "<table><tr><th>line</th><th>time</th><th>expectation</th><th>result</th></tr>"
    for e in r.expectations {
      h +=
        "<tr><td>\(e.line)</td><td>\(TraceTime.format(e.time))</td><td>\(JUnitReport.esc(e.text))</td>"
      if e.passed {
        h += "<td class=\"ok\">pass</td></tr>"
      } else {
        h += "<td><span class=\"bad\">fail</span> \(JUnitReport.esc(e.message))"
        h += "<pre>\(JUnitReport.esc(e.context.joined(separator: "\n")))</pre></td></tr>"
      }
    }
    return h + "</table>"
  }

  static func markFailures(_ p: inout SVGPlot, _ fails: [ExpectationResult]) {
    for f in fails {
      p.marker(Double(f.time.rawValue), color: "#b00020", title: "line \(f.line): \(f.message)")
    }
  }

  // MARK: Vitals

  static let vitalRanges: [(Vital, String, Double, Double)] = [
    (.sbp, "SBP mmHg", 40, 220), (.dbp, "DBP mmHg", 20, 140), (.hr, "HR /min", 20, 180),
    (.spo2, "SpO2 %", 70, 100), (.rr, "RR /min", 0, 40),
  ]

  static func vitalsPlot(
    _ log: ObservationLog, policy: VitalsPolicy?, end: Milliseconds, fails: [ExpectationResult]
  ) -> String {
    let rowH = 62.0
    let gap = 10.0
    var p = SVGPlot(height: 22 + 22 + Double(vitalRanges.count) * (rowH + gap), end: end)
    p.timeAxis()
    let columns = Int(p.plotWidth)
    for (k, (v, label, lo, hi)) in vitalRanges.enumerated() {
      let y0 = p.top + Double(k) * (rowH + gap)
      let y1 = y0 + rowH
      let x0 = SVGPlot.left
      let w = p.plotWidth
      if let band = policy?[v] { p.shadeBands(band, lo: lo, hi: hi, y0: y0, y1: y1) }
      p.rect(x0, y0, w, rowH, fill: "none")
      p.add(
        "<rect x=\"\(SVGPlot.f(x0))\" y=\"\(SVGPlot.f(y0))\" width=\"\(SVGPlot.f(w))\" height=\"\(SVGPlot.f(rowH))\" fill=\"none\" stroke=\"#bbb\"/>"
      )
      p.text(8, y0 + rowH / 2 + 4, label, size: 11)
      p.text(x0 - 4, y0 + 9, SVGPlot.f(hi), anchor: "end", size: 9, fill: "#888")
      p.text(x0 - 4, y1, SVGPlot.f(lo), anchor: "end", size: 9, fill: "#888")
      // Min/max per pixel column.
      var mins = [Int32](repeating: .max, count: columns + 1)
      var maxs = [Int32](repeating: .min, count: columns + 1)
      for (t, s) in log.vitals {
        guard let value = s[v] else { continue }
        let c = min(max(Int(Double(t.rawValue) / p.t1 * Double(columns)), 0), columns)
        mins[c] = min(mins[c], value)
        maxs[c] = max(maxs[c], value)
      }
      var pts: [(Double, Double)] = []
      var runs: [[(Double, Double)]] = []
      var lastCol = -10
      for c in 0...columns where mins[c] != .max {
        if c - lastCol > 3 && !pts.isEmpty {
          runs.append(pts)
          pts = []
        }
        let px = x0 + Double(c)
        pts.append((px, SVGPlot.y(Double(mins[c]), lo, hi, y0, y1)))
        if maxs[c] != mins[c] { pts.append((px, SVGPlot.y(Double(maxs[c]), lo, hi, y0, y1))) }
        lastCol = c
      }
      runs.append(pts)
      for run in runs where run.count == 1 {
        p.rect(run[0].0 - 1, run[0].1 - 1, 2.5, 2.5, fill: "#1e4fa3")
      }
      for run in runs where run.count > 1 { p.polyline(run, stroke: "#1e4fa3", width: 1) }
    }
    markFailures(&p, fails)
    return p.svg("Vitals (bands: amber warning, red critical)")
  }

  // MARK: Rate

  static func ratePlot(
    _ tl: Timeline, _ rx: Prescription?, end: Milliseconds, fails: [ExpectationResult]
  ) -> String {
    var p = SVGPlot(height: 170, end: end)
    p.timeAxis()
    let y0 = p.top
    let y1 = p.height - p.bottom
    let conc = Double(rx?.concentration.rawValue ?? 5000)
    // Delivered rate between samples, µL/h.
    var delivered: [(Double, Double)] = []
    // (The curve itself: `deliveredTimes` and `deliveredValues` build a whole array per read.)
    let curve = tl.curve
    for i in 1..<max(curve.count, 1) {
      let dt = Double(curve[i].time - curve[i - 1].time)
      guard dt > 0 else { continue }
      let ug = Double(curve[i].total - curve[i - 1].total)
      delivered.append((Double(curve[i - 1].time), ug / conc * 1000 / dt * 3_600_000))
      delivered.append((Double(curve[i].time), ug / conc * 1000 / dt * 3_600_000))
    }
    let maxRate = max(
      tl.motor.map { Double($0.1.rawValue) }.max() ?? 0, delivered.map(\.1).max() ?? 0, 1000)
    let top = log10(1 + maxRate) * 1.05
    func y(_ r: Double) -> Double { SVGPlot.y(log10(1 + max(r, 0)), 0, top, y0, y1) }
    for (ml, label) in [
      (100.0, "0.1"), (1000, "1"), (10_000, "10"), (100_000, "100"), (1_000_000, "1000"),
    ] where ml <= maxRate * 1.05 {
      p.polyline([(SVGPlot.left, y(ml)), (p.width - SVGPlot.right, y(ml))], stroke: "#eee")
      p.text(SVGPlot.left - 4, y(ml) + 3, "\(label) mL/h", anchor: "end", size: 9, fill: "#888")
    }
    var cmd: [(Double, Double)] = []
    var last = 0.0
    for (t, r) in tl.motor {
      cmd.append((p.x(Double(t.rawValue)), y(last)))
      last = Double(r.rawValue)
      cmd.append((p.x(Double(t.rawValue)), y(last)))
    }
    cmd.append((p.x(p.t1), y(last)))
    p.polyline(delivered.map { (p.x($0.0), y($0.1)) }, stroke: "#2e9d47", width: 2.2)
    p.polyline(cmd, stroke: "#1e4fa3", width: 1.2)
    p.text(300, 15, "— commanded (motor)", size: 11, fill: "#1e4fa3")
    p.text(450, 15, "— delivered (measured steps)", size: 11, fill: "#2e9d47")
    p.text(8, (y0 + y1) / 2, "rate (log)", size: 11)
    markFailures(&p, fails)
    return p.svg("Rate, mL/h")
  }

  // MARK: Dose against the rolling limits

  static func dosePlot(
    _ tl: Timeline, _ rx: Prescription?, end: Milliseconds, fails: [ExpectationResult]
  ) -> String {
    var p = SVGPlot(height: 180, end: end)
    p.timeAxis()
    let y0 = p.top
    let y1 = p.height - p.bottom
    let n = Int(p.plotWidth / 2)
    var s1: [(Double, Double)] = []
    var s4: [(Double, Double)] = []
    for i in 0...n {
      let t = Int64(p.t1 * Double(i) / Double(n))
      s1.append((Double(t), Double(tl.delivered(at: t) - tl.delivered(at: t - 3_600_000))))
      s4.append((Double(t), Double(tl.delivered(at: t) - tl.delivered(at: t - 14_400_000))))
    }
    let l1 = Double(rx?.limit1h.rawValue ?? 0)
    let l4 = Double(rx?.limit4h.rawValue ?? 0)
    let top = max(l4, s4.map(\.1).max() ?? 0, 1000) * 1.1
    func y(_ v: Double) -> Double { SVGPlot.y(v, 0, top, y0, y1) }
    p.polyline(
      [(SVGPlot.left, y(l1)), (p.width - SVGPlot.right, y(l1))], stroke: "#e07b00", width: 1.3,
      dash: "6 4")
    p.polyline(
      [(SVGPlot.left, y(l4)), (p.width - SVGPlot.right, y(l4))], stroke: "#7b1fa2", width: 1.3,
      dash: "6 4")
    p.text(
      SVGPlot.left - 4, y(l1) + 3, "1-h limit \(TraceChecker.mg(Int64(l1)))", anchor: "end",
      size: 9, fill: "#e07b00")
    p.text(
      SVGPlot.left - 4, y(l4) + 3, "4-h limit \(TraceChecker.mg(Int64(l4)))", anchor: "end",
      size: 9, fill: "#7b1fa2")
    p.text(SVGPlot.left - 4, y1, "0 mg", anchor: "end", size: 9, fill: "#888")
    p.polyline(s4.map { (p.x($0.0), y($0.1)) }, stroke: "#7b1fa2", width: 1.8)
    p.polyline(s1.map { (p.x($0.0), y($0.1)) }, stroke: "#e07b00", width: 1.8)
    let total = tl.curve.last?.total ?? 0
    p.text(330, 15, "— delivered in the last 1 h", size: 11, fill: "#e07b00")
    p.text(520, 15, "— in the last 4 h", size: 11, fill: "#7b1fa2")
    p.text(650, 15, "total \(TraceChecker.mg(total))", size: 11)
    markFailures(&p, fails)
    return p.svg("Dose against the rolling limits")
  }

  // MARK: Mode, alarms, boluses

  static func modeColor(_ m: Mode) -> String {
    switch m {
    case .infusing(.basal): "#6cc070"
    case .infusing: "#2e7d32"
    case .kvo: "#fdd835"
    case .paused: "#9e9e9e"
    case .interlockStopped: "#e53935"
    case .fault: "#212121"
    case .complete: "#42a5f5"
    case .selfTest: "#ce93d8"
    case .idle, .programmed: "#e0e0e0"
    }
  }

  static func priorityColor(_ p: AlarmPriority) -> String {
    switch p {
    case .high: "#d32f2f"
    case .medium: "#f9a825"
    case .low: "#29b6f6"
    case .info: "#90a4ae"
    }
  }

  static func eventsPlot(_ tl: Timeline, end: Milliseconds, fails: [ExpectationResult]) -> String {
    let codes = AlarmCode.allCases.filter { tl.alarmChanges[$0] != nil }
    let rowH = 18.0
    let rows = 2 + codes.count
    var p = SVGPlot(height: 22 + 22 + Double(rows) * (rowH + 4), end: end)
    p.timeAxis()
    func rowY(_ k: Int) -> Double { p.top + Double(k) * (rowH + 4) }
    let endT = p.t1
    // Mode.
    p.text(8, rowY(0) + 13, "mode", size: 11)
    for (i, (t, m)) in tl.modes.enumerated() {
      let next = i + 1 < tl.modes.count ? Double(tl.modes[i + 1].0.rawValue) : endT
      let a = p.x(Double(t.rawValue))
      p.rect(
        a, rowY(0), p.x(next) - a, rowH, fill: modeColor(m),
        title: "\(TraceNames.name(m)) from \(TraceTime.format(t))")
    }
    // Power off: the controller is frozen in its last mode; show the outage instead.
    var offSince: Milliseconds? = nil
    for (t, on) in tl.power + [(Milliseconds(Int64(endT)), true)] {
      if !on, offSince == nil { offSince = t }
      if on, let a = offSince {
        let x0 = p.x(Double(a.rawValue))
        p.rect(
          x0, rowY(0), p.x(Double(t.rawValue)) - x0, rowH, fill: "#424242",
          title: "power off \(TraceTime.format(a))–\(TraceTime.format(t))")
        offSince = nil
      }
    }
    // Alarms.
    for (k, code) in codes.enumerated() {
      let y = rowY(1 + k)
      p.text(8, y + 13, TraceNames.name(code), size: 10)
      var start: (Milliseconds, AlarmPriority)? = nil
      for (t, on, pr) in tl.alarmChanges[code] ?? [] {
        if on, start == nil { start = (t, pr ?? code.priority) }
        if !on, let s = start {
          let a = p.x(Double(s.0.rawValue))
          p.rect(
            a, y, p.x(Double(t.rawValue)) - a, rowH, fill: priorityColor(s.1),
            title:
              "\(TraceNames.name(code)) (\(TraceNames.name(s.1))) \(TraceTime.format(s.0))–\(TraceTime.format(t))"
          )
          start = nil
        }
      }
      if let s = start {
        let a = p.x(Double(s.0.rawValue))
        p.rect(
          a, y, p.x(endT) - a, rowH, fill: priorityColor(s.1),
          title: "\(TraceNames.name(code)) (\(TraceNames.name(s.1))) from \(TraceTime.format(s.0))")
      }
    }
    // Boluses.
    let by = rowY(rows - 1)
    p.text(8, by + 13, "bolus presses", size: 11)
    for (t, denial) in tl.boluses {
      let px = p.x(Double(t.rawValue))
      if let d = denial {
        p.add(
          "<path d=\"M\(SVGPlot.f(px - 4)) \(SVGPlot.f(by + 5)) l8 8 m0 -8 l-8 8\" stroke=\"#c62828\" stroke-width=\"2\"><title>denied(\(TraceNames.name(d))) at \(TraceTime.format(t))</title></path>"
        )
      } else {
        p.add(
          "<path d=\"M\(SVGPlot.f(px)) \(SVGPlot.f(by + 3)) l5 11 l-10 0 z\" fill=\"#2e7d32\"><title>granted at \(TraceTime.format(t))</title></path>"
        )
      }
    }
    p.text(330, 15, "alarms: ", size: 11)
    p.text(380, 15, "■ high", size: 11, fill: priorityColor(.high))
    p.text(430, 15, "■ medium", size: 11, fill: priorityColor(.medium))
    p.text(495, 15, "■ low", size: 11, fill: priorityColor(.low))
    p.text(545, 15, "▲ granted  ✕ denied", size: 11)
    p.text(700, 15, "mode:", size: 11, fill: "#555")
    for (k, (label, m)) in [
      ("basal", Mode.infusing(.basal)), ("bolus", .infusing(.patientBolus)),
      ("KVO", .kvo), ("paused", .paused(.clinician)), ("interlock", .interlockStopped),
      ("fault", .fault(.watchdog)), ("complete", .complete),
    ].enumerated() {
      p.text(738 + Double(k) * 62, 15, "■ \(label)", size: 11, fill: modeColor(m))
    }
    markFailures(&p, fails)
    return p.svg("Mode, alarms by priority, bolus presses")
  }
}
