/// The verification regimens of docs/PATIENT.md, computed by the model itself: the doc's tables
/// are generated here and a test compares them with the doc.
public enum PKVerification {
  /// Sample instants, minutes.
  public static let minutes: [Double] = [1, 5, 15, 60, 240, 480]

  /// The weight each model is shown at: 70 kg adults, 20 kg children for the paediatric sets.
  public static func weightKg(_ model: PKModel) -> Double { model.isAllometric ? 20 : 70 }

  /// Plasma concentrations (ng/mL) at `minutes` after an instantaneous 0.5 mg/kg bolus.
  public static func bolus(_ model: PKModel, weightKg w: Double) -> [Double] {
    var pk = Pharmacokinetics(parameters: model.parameters(weightKg: w))
    pk.bolus(micrograms: 500 * w)
    var t = 0.0
    return minutes.map { m in
      pk.advance(minutes: m - t, micrograms: 0)
      t = m
      return pk.plasma
    }
  }

  /// Plasma concentrations (ng/mL) at `minutes` during and after 0.25 mg/kg/h for 4 h.
  public static func infusion(_ model: PKModel, weightKg w: Double) -> [Double] {
    var pk = Pharmacokinetics(parameters: model.parameters(weightKg: w))
    let ratePerMinute = 250 * w / 60
    var t = 0.0
    return minutes.map { m in
      let on = max(min(m, 240) - t, 0)
      if on > 0 { pk.advance(minutes: on, micrograms: ratePerMinute * on) }
      if m > max(t, 240) { pk.advance(minutes: m - max(t, 240), micrograms: 0) }
      t = m
      return pk.plasma
    }
  }

  /// The concentration table (markdown), one row per model and regimen.
  public static func concentrationTable() -> String {
    var s =
      "| model (weight) | regimen | " + minutes.map { "\(Int($0)) min" }.joined(separator: " | ")
    s += " |\n|---|---|" + String(repeating: "---:|", count: minutes.count) + "\n"
    for m in PKModel.allCases {
      let w = weightKg(m)
      let label = "\(m.rawValue) (\(Int(w)) kg)"
      s += "| \(label) | bolus 0.5 mg/kg | "
      s += bolus(m, weightKg: w).map { fixed($0, 1) }.joined(separator: " | ") + " |\n"
      s += "| \(label) | 0.25 mg/kg/h × 4 h | "
      s += infusion(m, weightKg: w).map { fixed($0, 1) }.joined(separator: " | ") + " |\n"
    }
    return s
  }

  /// The parameter table (markdown) at each model's table weight: micro rate constants as the
  /// code derives them, and CL and Vss in the units papers quote.
  public static func parameterTable() -> String {
    var s = "| model | weight | V1 (L) | k10 | k12 | k21 | k13 | k31 | ke0 | CL (L/h) | Vss (L) |\n"
    s += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for m in PKModel.allCases {
      let w = weightKg(m)
      let p = m.parameters(weightKg: w)
      let cells = [
        fixed(p.v1, 3), fixed(p.k10, 4), fixed(p.k12, 4), fixed(p.k21, 4), fixed(p.k13, 4),
        fixed(p.k31, 4), fixed(p.ke0, 3), fixed(p.cl * 60, 2), fixed(p.vss, 1),
      ]
      s += "| \(m.rawValue) | \(Int(w)) kg | " + cells.joined(separator: " | ") + " |\n"
    }
    return s
  }

  /// `x` with `decimals` digits after the point, rounded half away from zero.
  public static func fixed(_ x: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let n = Int64((abs(x) * scale).rounded())
    let whole = n / Int64(scale)
    var frac = String(n % Int64(scale))
    while frac.count < decimals { frac = "0" + frac }
    let sign = x < 0 && n != 0 ? "-" : ""
    return decimals > 0 ? "\(sign)\(whole).\(frac)" : "\(sign)\(whole)"
  }
}
