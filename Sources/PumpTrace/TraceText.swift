import PumpCore
import PumpProtocol

/// Values written the way a trace reads them back (docs/TRACES.md): the recorder and reports
/// use these, so what they print pastes into a trace.
public enum TraceText {
  /// `SBP=120 DBP=80 HR=72 SpO2=98 RR=14`, the vitals present only.
  public static func vitals(_ v: VitalsSample) -> String {
    var parts: [String] = []
    if let x = v.sbp { parts.append("SBP=\(x)") }
    if let x = v.dbp { parts.append("DBP=\(x)") }
    if let x = v.hr { parts.append("HR=\(x)") }
    if let x = v.spo2 { parts.append("SpO2=\(x)") }
    if let x = v.rr { parts.append("RR=\(x)") }
    return parts.joined(separator: " ")
  }

  /// A prescription as trace header fields, in header order (`basal`, `5 mg/h`).
  public static func prescriptionFields(_ p: Prescription) -> [(String, String)] {
    [
      ("drug-entry", "\(p.drugEntry.rawValue)"),
      ("care-area", WireNames.name(p.careArea, in: WireNames.careAreas)),
      ("weight", Quantity.format(p.patientWeight)),
      ("concentration", Quantity.format(p.concentration)),
      ("basal", Quantity.format(p.basalRate)),
      ("loading", Quantity.format(p.loadingDose)),
      ("bolus", Quantity.format(p.bolusDose)),
      ("bolus-rate", Quantity.format(p.bolusRate)),
      ("lockout", TraceTime.formatDuration(p.lockout)),
      ("max-boluses-per-hour", "\(p.maxBolusesPerHour)"),
      ("limit-1h", Quantity.format(p.limit1h)),
      ("limit-4h", Quantity.format(p.limit4h)),
      ("vtbi", Quantity.format(p.vtbi)),
      ("kvo", Quantity.format(p.kvoRate)),
      ("rate-increase-interval", TraceTime.formatDuration(p.rateIncreaseInterval)),
    ]
  }

  /// A re-programming line for `p` over the header's `base`: `program basal=4mg/h
  /// lockout=15min` with the fields that differ, in header order (`program` alone when none do).
  public static func program(_ p: Prescription, from base: Prescription) -> String {
    let old = prescriptionFields(base)
    var out = "program"
    for (k, (key, value)) in prescriptionFields(p).enumerated() where old[k].1 != value {
      out += " \(key)=\(value.filter { $0 != " " })"
    }
    return out
  }

  /// A prescription on one line: `basal 5 mg/h, bolus 2 mg, …`.
  public static func prescription(_ p: Prescription) -> String {
    prescriptionFields(p).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
  }
}
