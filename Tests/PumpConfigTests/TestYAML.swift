/// Small, comment-free YAML documents with known line numbers for the bad-input tests.
enum TestYAML {
  /// A valid pump model; line numbers are referenced by the tests (line 6 is `max_rate`).
  static let model = """
    id: test-pump
    name: Test pump
    description: A pump for tests.
    reservoir_volume: "60 mL"
    min_rate: "0.1 mL/h"
    max_rate: "10 mL/min"
    rate_resolution: "0.1 mL/h"
    motor:
      steps_per_ml: 5760
      min_step_interval: "500 µs"
    occlusion:
      upstream: "1 psi"
      downstream: "10 psi"
    air_in_line_bubble: "50 µL"
    battery:
      capacity: "2000 mAh"
      drain_idle: "20 mA"
      drain_infusing: "120 mA"
      low_remaining: "3 min"
    control_tick: "10 ms"
    uart:
      baud: 115200
      data_bits: 8
      parity: none
      stop_bits: 1
    nv_memory_bytes: 65536
    watchdog_timeout: "100 ms"
    flow_monitor:
      window_basal: "5 min"
      window_bolus: "1 min"
      over_infusion_tolerance: "5 %"
      under_infusion_tolerance: "5 %"
    low_reservoir:
      volume: "1 mL"
      time: "30 min"
    max_audio_pause: "120 s"
    paused_too_long: "5 min"

    """

  /// One drug-library entry (id `id`) in block style; 4 header lines, then 18 guardrails of 5
  /// lines each (`concentration` starts on the entry's line 5).
  static func entry(id: Int, careArea: String = "acute_post_op") -> String {
    var lines = [
      "  - id: \(id)", "    name: Test \(id)", "    drug: ketamine", "    care_area: \(careArea)",
    ]
    let guardrails: [(String, [String])] = [
      ("concentration", ["\"1 mg/mL\"", "\"1 mg/mL\"", "\"5 mg/mL\"", "\"10 mg/mL\""]),
      ("patient_weight", ["\"40 kg\"", "\"50 kg\"", "\"120 kg\"", "\"200 kg\""]),
      (
        "basal_rate_per_kg",
        ["\"0 mg/kg/h\"", "\"0 mg/kg/h\"", "\"0.25 mg/kg/h\"", "\"1 mg/kg/h\""]
      ),
      ("basal_rate", ["\"0 mg/h\"", "\"0 mg/h\"", "\"25 mg/h\"", "\"50 mg/h\""]),
      ("loading_dose_per_kg", ["\"0 mg/kg\"", "\"0 mg/kg\"", "\"0.2 mg/kg\"", "\"0.35 mg/kg\""]),
      ("loading_dose", ["\"0 mg\"", "\"0 mg\"", "\"15 mg\"", "\"35 mg\""]),
      (
        "bolus_dose_per_kg",
        ["\"0.01 mg/kg\"", "\"0.02 mg/kg\"", "\"0.1 mg/kg\"", "\"0.35 mg/kg\""]
      ),
      ("bolus_dose", ["\"0.5 mg\"", "\"1 mg\"", "\"5 mg\"", "\"20 mg\""]),
      ("bolus_rate", ["\"1 mL/h\"", "\"30 mL/h\"", "\"300 mL/h\"", "\"10 mL/min\""]),
      ("lockout", ["\"5 min\"", "\"6 min\"", "\"15 min\"", "\"60 min\""]),
      ("max_boluses_per_hour", ["1", "2", "6", "12"]),
      ("limit_1h_per_kg", ["\"0.05 mg/kg\"", "\"0.1 mg/kg\"", "\"0.5 mg/kg\"", "\"1 mg/kg\""]),
      ("limit_1h", ["\"1 mg\"", "\"5 mg\"", "\"25 mg\"", "\"50 mg\""]),
      ("limit_4h_per_kg", ["\"0.2 mg/kg\"", "\"0.4 mg/kg\"", "\"2 mg/kg\"", "\"4 mg/kg\""]),
      ("limit_4h", ["\"4 mg\"", "\"20 mg\"", "\"100 mg\"", "\"200 mg\""]),
      ("vtbi", ["\"1 mL\"", "\"10 mL\"", "\"60 mL\"", "\"100 mL\""]),
      ("kvo_rate", ["\"0 mL/h\"", "\"0.1 mL/h\"", "\"1 mL/h\"", "\"2 mL/h\""]),
      ("rate_increase_interval", ["\"15 min\"", "\"60 min\"", "\"4 h\"", "\"24 h\""]),
    ]
    for (key, bounds) in guardrails {
      lines.append("    \(key):")
      for (name, value) in zip(["lower_hard", "lower_soft", "upper_soft", "upper_hard"], bounds) {
        lines.append("      \(name): \(value)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A library of two entries (ids 1 and 2). Entry 0 starts on line 2, entry 1 on line 96.
  static let library = "entries:\n" + entry(id: 1) + entry(id: 2)

  /// A valid care-areas file (all three areas, ketamineDefault-like numbers).
  static let careAreas = """
    care_areas:
      acute_post_op: &adult
        sbp: {warning_low: 90, critical_low: 80, warning_high: 160, critical_high: 180}
        dbp: {warning_high: 100, critical_high: 110}
        hr: {warning_low: 50, critical_low: 40, warning_high: 120, critical_high: 140}
        spo2: {warning_low: 92, critical_low: 88}
        rr: {warning_low: 10, critical_low: 8}
        required: [sbp, dbp, hr]
        persist_samples: 2
        persist_time: "10 s"
        stale_after: "5 s"
        interlock_warnings: 2
      chronic_pain: *adult
      paediatric:
        sbp: {warning_low: 80, critical_low: 70, warning_high: 130, critical_high: 145}
        dbp: {warning_high: 85, critical_high: 95}
        hr: {warning_low: 60, critical_low: 50, warning_high: 140, critical_high: 160}
        spo2: {warning_low: 92, critical_low: 88}
        rr: {warning_low: 12, critical_low: 10}
        required: [sbp, dbp, hr, spo2]
        persist_samples: 2
        persist_time: "10 s"
        stale_after: "5 s"
        interlock_warnings: 2

    """

  /// `text` with the first occurrence of `old` replaced by `new` (which may be empty).
  static func replacing(_ old: String, with new: String, in text: String) -> String {
    guard let range = text.range(of: old) else { fatalError("test fixture lacks '\(old)'") }
    return text.replacingCharacters(in: range, with: new)
  }
}
