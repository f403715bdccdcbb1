import PumpCore

/// A minimal SVG plot builder for reports: one time axis, one value axis, shapes in data
/// coordinates. Output is well-formed XML (attribute text escaped).
struct SVGPlot {
  static let left = 110.0
  static let right = 20.0
  let width: Double
  let height: Double
  let t0: Double
  let t1: Double
  let top = 22.0
  let bottom = 22.0
  var body = ""

  init(width: Double = 1180, height: Double, end: Milliseconds) {
    self.width = width
    self.height = height
    t0 = 0
    t1 = Double(max(end.rawValue, 1))
  }

  var plotWidth: Double { width - Self.left - Self.right }
  var plotHeight: Double { height - top - bottom }

  func x(_ t: Double) -> Double { Self.left + (t - t0) / (t1 - t0) * plotWidth }
  /// Band-local y: `v` in lo...hi mapped into the rows y0..y1 (pixels, y0 above y1).
  static func y(_ v: Double, _ lo: Double, _ hi: Double, _ y0: Double, _ y1: Double) -> Double {
    let c = min(max(v, lo), hi)
    return y1 - (c - lo) / (hi - lo) * (y1 - y0)
  }

  static func f(_ v: Double) -> String {
    let r = (v * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(r)
  }

  mutating func add(_ s: String) { body += s }

  /// A vital's bands across a row whose value axis runs lo...hi between pixel rows y0 (top) and
  /// y1: critical red, warning amber — the one band shading of every report plot.
  mutating func shadeBands(_ band: VitalBand, lo: Double, hi: Double, y0: Double, y1: Double) {
    func shade(_ a: Double, _ b: Double, _ color: String, _ o: Double) {
      let ya = Self.y(b, lo, hi, y0, y1)
      let yb = Self.y(a, lo, hi, y0, y1)
      if yb > ya { rect(Self.left, ya, plotWidth, yb - ya, fill: color, opacity: o) }
    }
    if let c = band.criticalHigh { shade(Double(c), hi, "#e53935", 0.22) }
    if let wv = band.warningHigh {
      shade(Double(wv), Double(band.criticalHigh ?? Int32(hi)), "#ffa000", 0.35)
    }
    if let c = band.criticalLow { shade(lo, Double(c), "#e53935", 0.22) }
    if let wv = band.warningLow {
      shade(Double(band.criticalLow ?? Int32(lo)), Double(wv), "#ffa000", 0.35)
    }
  }

  mutating func rect(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, title: String? = nil,
    opacity: Double = 1
  ) {
    let t = title.map { "<title>\(JUnitReport.esc($0))</title>" } ?? ""
    body +=
      "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(max(w, 0.8)))\" height=\"\(Self.f(h))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\">\(t)</rect>"
  }

  mutating func polyline(
    _ points: [(Double, Double)], stroke: String, width w: Double = 1.2, dash: String? = nil
  ) {
    guard !points.isEmpty else { return }
    let p = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
    let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    body +=
      "<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(w)\"\(d)/>"
  }

  mutating func text(
    _ x: Double, _ y: Double, _ s: String, anchor: String = "start", size: Int = 11,
    fill: String = "#333"
  ) {
    body +=
      "<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(fill)\">\(JUnitReport.esc(s))</text>"
  }

  /// Time ticks and grid over the whole height, labelled at the bottom.
  mutating func timeAxis() {
    let span = t1 - t0
    let steps: [Double] = [
      10_000, 60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
      7_200_000, 14_400_000, 21_600_000, 43_200_000, 86_400_000,
    ]
    let step = steps.first(where: { span / $0 <= 14 }) ?? 86_400_000
    var t = 0.0
    while t <= t1 + 1 {
      let px = x(t)
      body +=
        "<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(top))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(height - bottom))\" stroke=\"#ddd\" stroke-width=\"1\"/>"
      text(px, height - 6, Self.clock(t), anchor: "middle", size: 10, fill: "#666")
      t += step
    }
  }

  static func clock(_ ms: Double) -> String {
    let m = Int(ms / 60_000)
    let d = m / 1440
    let h = m / 60 % 24
    let mm = m % 60
    let hm = "\(h < 10 ? "0" : "")\(h):\(mm < 10 ? "0" : "")\(mm)"
    return d > 0 ? "\(d)d \(hm)" : hm
  }

  /// A vertical marker (a failed expectation).
  mutating func marker(_ t: Double, color: String, title: String) {
    let px = x(t)
    body +=
      "<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(top))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(height - bottom))\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"><title>\(JUnitReport.esc(title))</title></line>"
  }

  func svg(_ title: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" font-family=\"sans-serif\">"
      + "<rect x=\"0\" y=\"0\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" fill=\"#fff\"/>"
      + "<text x=\"8\" y=\"15\" font-size=\"13\" font-weight=\"bold\" fill=\"#222\">\(JUnitReport.esc(title))</text>"
      + body + "</svg>"
  }
}
