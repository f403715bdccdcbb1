import PumpCore

/// Prints an exploration as a trace file (docs/TRACES.md) that offline replay runs as is, so a
/// counterexample becomes a regression trace: save it under Tests/Traces, add the expectation
/// the fix makes true.
public enum ExplorationTrace {
  /// `profileID` and `drugEntry` name the shipped profile and library entry the exploration ran
  /// with; the prescription is written in the header (`start: idle`: `program` sends it).
  public static func text(
    name: String, profileID: String, prescription p: Prescription, steps: [ExplorationStep],
    violation: SafetyInvariants.Violation?, seed: UInt64
  ) -> String {
    var out: [String] = []
    out.append("# Found by random exploration (pumpexplore), seed \(seed), shrunk.")
    if let v = violation { out.append("# Violates invariant \(v.description)") }
    out.append("name: \(name)")
    out.append("profile: \(profileID)")
    out.append("drug-entry: \(p.drugEntry.rawValue)")
    out.append("care-area: \(careArea(p.careArea))")
    out.append("weight: \(decimal(p.patientWeight.rawValue, 1000)) kg")
    out.append("concentration: \(decimal(p.concentration.rawValue, 1000)) mg/mL")
    out.append("basal: \(decimal(p.basalRate.rawValue, 1000)) mg/h")
    out.append("loading: \(decimal(p.loadingDose.rawValue, 1000)) mg")
    out.append("bolus: \(decimal(p.bolusDose.rawValue, 1000)) mg")
    out.append("bolus-rate: \(decimal(p.bolusRate.rawValue, 1000)) mL/h")
    out.append("lockout: \(p.lockout.rawValue)ms")
    out.append("max-boluses-per-hour: \(p.maxBolusesPerHour)")
    out.append("limit-1h: \(decimal(p.limit1h.rawValue, 1000)) mg")
    out.append("limit-4h: \(decimal(p.limit4h.rawValue, 1000)) mg")
    out.append("vtbi: \(decimal(p.vtbi.rawValue, 1000)) mL")
    out.append("kvo: \(decimal(p.kvoRate.rawValue, 1000)) mL/h")
    out.append("rate-increase-interval: \(p.rateIncreaseInterval.rawValue)ms")
    out.append("seed: \(seed)")
    out.append("start: idle")
    out.append("")
    var t: Int64 = 0
    for s in steps {
      switch s {
      case .wait(let d): t += d.rawValue
      case .clockAdvance(let d):
        out.append("\(t)ms clock advance \(d.rawValue)ms")
        t += d.rawValue
      default:
        if let line = line(s) { out.append("\(t)ms \(line)") }
      }
    }
    return out.joined(separator: "\n") + "\n"
  }

  static func line(_ s: ExplorationStep) -> String? {
    switch s {
    case .wait, .clockAdvance: return nil
    case .vitals(let sbp, let dbp, let hr, let spo2, let rr):
      var parts: [String] = []
      if let v = sbp { parts.append("SBP=\(v)") }
      if let v = dbp { parts.append("DBP=\(v)") }
      if let v = hr { parts.append("HR=\(v)") }
      if let v = spo2 { parts.append("SpO2=\(v)") }
      if let v = rr { parts.append("RR=\(v)") }
      return parts.isEmpty ? nil : "vitals " + parts.joined(separator: " ")
    case .press: return "press"
    case .command(let c):
      switch c {
      case .program: return "program"
      case .confirm: return "confirm"
      case .start: return "start"
      case .stop: return "stop"
      case .pause: return "pause"
      case .resume: return "resume"
      case .acknowledge: return "ack"
      case .audioPause: return "silence"
      case .reset: return "reset"
      case .rate(let r): return "rate \(decimal(r.rawValue, 1000)) mg/h"
      case .bolus(let d): return "clinician-bolus \(decimal(d.rawValue, 1000)) mg"
      }
    case .inject(let i):
      switch i {
      case .occlusion(let down, let on):
        return "inject occlusion \(down ? "downstream" : "upstream") \(on ? "on" : "off")"
      case .pressure(let down, let p):
        return
          "inject pressure \(down ? "downstream" : "upstream") \(decimal(p.rawValue, 1000)) psi"
      case .air(let v): return "inject air \(v.rawValue) µL"
      case .door(let open): return "inject door \(open ? "open" : "closed")"
      case .mains(let on): return "inject mains \(on ? "on" : "off")"
      case .battery(let d): return "inject battery \(d.rawValue)ms"
      case .motorStall(let on): return "inject motor stall \(on ? "on" : "off")"
      case .motorRunaway(let on): return "inject motor runaway \(on ? "on" : "off")"
      case .sensorFailure(let on): return "inject sensor-failure \(on ? "on" : "off")"
      case .reservoir(let v): return "inject reservoir \(decimal(v.rawValue, 1000)) mL"
      case .fault(let f): return "inject fault \(faultName(f))"
      }
    case .powerLost: return "power lost"
    case .powerRestored(let passed): return "power restored self-test \(passed ? "pass" : "fail")"
    case .link(let up): return "link \(up ? "up" : "down")"
    }
  }

  static func faultName(_ f: FaultCode) -> String {
    switch f {
    case .selfTest: "self-test"
    case .watchdog: "watchdog"
    case .software: "software"
    case .sensor: "sensor"
    case .journal: "journal"
    case .motor: "motor"
    case .journalVersion: "journal-version"
    }
  }

  static func careArea(_ a: CareArea) -> String {
    switch a {
    case .acutePostOp: "acute-post-op"
    case .chronicPain: "chronic-pain"
    case .paediatric: "paediatric"
    }
  }

  /// `v / scale` as an exact decimal (scale a power of ten).
  static func decimal(_ v: Int64, _ scale: Int64) -> String {
    let sign = v < 0 ? "-" : ""
    let a = v < 0 ? -v : v
    var frac = String(a % scale)
    let digits = String(scale).count - 1
    while frac.count < digits { frac = "0" + frac }
    while frac.hasSuffix("0") { frac.removeLast() }
    return sign + String(a / scale) + (frac.isEmpty ? "" : "." + frac)
  }
}
