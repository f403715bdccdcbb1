import Foundation
import PumpCore
import PumpPatient

/// The patient plot of a trace naming a patient: on one time axis the plasma and effect-site
/// concentrations, the patient's true HR and SBP against the care area's warning (amber) and
/// critical (red) bands, the pain score against the demand threshold, and the presses
/// (granted/denied) with the drug delivered.
extension HTMLReport {
  static func hasPatient(_ log: ObservationLog) -> Bool {
    log.others.contains {
      if case .patient = $0.event { return true }
      return false
    }
  }

  static func patientPlot(
    _ log: ObservationLog, _ tl: Timeline, policy: VitalsPolicy?, end: Milliseconds,
    fails: [ExpectationResult]
  ) -> String {
    var samples: [(Double, PatientVitals)] = []
    for o in log.others {
      if case .patient(let v) = o.event { samples.append((Double(o.time.rawValue), v)) }
    }
    let rowH = 70.0
    let gap = 12.0
    let rows = 5
    var p = SVGPlot(height: 22 + 22 + Double(rows) * (rowH + gap), end: end)
    p.timeAxis()
    let x0 = SVGPlot.left
    let w = p.plotWidth
    let columns = Int(w)
    func rowY(_ k: Int) -> Double { p.top + Double(k) * (rowH + gap) }
    func frame(_ k: Int, _ label: String, _ lo: Double, _ hi: Double) {
      let y0 = rowY(k)
      p.add(
        "<rect x=\"\(SVGPlot.f(x0))\" y=\"\(SVGPlot.f(y0))\" width=\"\(SVGPlot.f(w))\" height=\"\(SVGPlot.f(rowH))\" fill=\"none\" stroke=\"#bbb\"/>"
      )
      p.text(8, y0 + rowH / 2 + 4, label, size: 11)
      p.text(x0 - 4, y0 + 9, SVGPlot.f(hi), anchor: "end", size: 9, fill: "#888")
      p.text(x0 - 4, y0 + rowH, SVGPlot.f(lo), anchor: "end", size: 9, fill: "#888")
    }
    /// A series drawn as min/max per pixel column.
    func line(
      _ k: Int, _ lo: Double, _ hi: Double, _ color: String, _ value: (PatientVitals) -> Double
    ) {
      let y0 = rowY(k)
      let y1 = y0 + rowH
      var mins = [Double](repeating: .infinity, count: columns + 1)
      var maxs = [Double](repeating: -.infinity, count: columns + 1)
      for (t, v) in samples {
        let c = min(max(Int(t / p.t1 * Double(columns)), 0), columns)
        let x = value(v)
        mins[c] = min(mins[c], x)
        maxs[c] = max(maxs[c], x)
      }
      var pts: [(Double, Double)] = []
      for c in 0...columns where mins[c] != .infinity {
        pts.append((x0 + Double(c), SVGPlot.y(mins[c], lo, hi, y0, y1)))
        if maxs[c] != mins[c] { pts.append((x0 + Double(c), SVGPlot.y(maxs[c], lo, hi, y0, y1))) }
      }
      p.polyline(pts, stroke: color, width: 1.3)
    }
    func bands(_ k: Int, _ v: Vital, _ lo: Double, _ hi: Double) {
      guard let band = policy?[v] else { return }
      p.shadeBands(band, lo: lo, hi: hi, y0: rowY(k), y1: rowY(k) + rowH)
    }
    // 1: concentrations.
    let cmax = max(samples.map { max($0.1.plasma, $0.1.effectSite) }.max() ?? 0, 10) * 1.05
    frame(0, "Cp, Ce ng/mL", 0, cmax.rounded(.up))
    line(0, 0, cmax.rounded(.up), "#8e24aa") { $0.plasma }
    line(0, 0, cmax.rounded(.up), "#00897b") { $0.effectSite }
    // 2, 3: true HR and SBP against the bands.
    bands(1, .hr, 20, 180)
    frame(1, "HR /min (true)", 20, 180)
    line(1, 20, 180, "#1e4fa3") { $0.hr }
    bands(2, .sbp, 40, 220)
    frame(2, "SBP mmHg (true)", 40, 220)
    line(2, 40, 220, "#1e4fa3") { $0.sbp }
    // 4: pain against the demand threshold.
    frame(3, "pain NRS", 0, 10)
    let ty = SVGPlot.y(CohortReplay.painThreshold, 0, 10, rowY(3), rowY(3) + rowH)
    p.polyline([(x0, ty), (x0 + w, ty)], stroke: "#c62828", width: 0.8, dash: "4 3")
    line(3, 0, 10, "#ef6c00") { $0.pain }
    // 5: presses and the drug delivered (cumulative).
    let by = rowY(4)
    let dmax = Double(max(tl.curve.lazy.map(\.total).max() ?? 0, 1000)) * 1.05
    frame(4, "presses, delivered", 0, 0)
    p.text(x0 - 4, by + 9, "\(SVGPlot.f(dmax / 1000)) mg", anchor: "end", size: 9, fill: "#888")
    var dpts: [(Double, Double)] = []
    for d in tl.curve {
      dpts.append((p.x(Double(d.time)), SVGPlot.y(Double(d.total), 0, dmax, by, by + rowH)))
    }
    p.polyline(dpts, stroke: "#2e9d47", width: 1.6)
    for (t, denial) in tl.boluses {
      let px = p.x(Double(t.rawValue))
      if let d = denial {
        p.add(
          "<path d=\"M\(SVGPlot.f(px - 3)) \(SVGPlot.f(by + 4)) l6 6 m0 -6 l-6 6\" stroke=\"#c62828\" stroke-width=\"1.5\"><title>denied(\(TraceNames.name(d))) at \(TraceTime.format(t))</title></path>"
        )
      } else {
        p.add(
          "<path d=\"M\(SVGPlot.f(px)) \(SVGPlot.f(by + 12)) l4 9 l-8 0 z\" fill=\"#2e7d32\"><title>granted at \(TraceTime.format(t))</title></path>"
        )
      }
    }
    p.text(250, 15, "— Cp", size: 11, fill: "#8e24aa")
    p.text(295, 15, "— Ce", size: 11, fill: "#00897b")
    p.text(340, 15, "— pain (dashed: NRS 4)", size: 11, fill: "#ef6c00")
    p.text(490, 15, "— delivered total", size: 11, fill: "#2e9d47")
    p.text(600, 15, "▲ granted ✕ denied", size: 11)
    markFailures(&p, fails)
    return p.svg("Patient (true state; bands: amber warning, red critical)")
  }
}
