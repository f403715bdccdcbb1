import PumpConfig
import PumpCore
import PumpProtocol

/// The command line that `CommandParser` reads back into the same request: `rate 6mg/h`,
/// `inject downstream 12psi`, `vitals sbp=120 hr=80`. Used in logs, JSON output and the
/// dashboard, so what users see is what they can type.
public enum CommandText {
  /// The command line for `r` (link requests give their kind: `HELLO`, `LOGIN`, `AUTH`).
  public static func of(_ r: HostRequest) -> String {
    let verb = self.verb(r)
    return arguments(r).map { "\(verb) \($0)" } ?? verb
  }

  /// The command word for `r`.
  public static func verb(_ r: HostRequest) -> String {
    switch r {
    case .hello, .login, .auth: r.kind.rawValue
    case .ping: "ping"
    case .logout: "logout"
    case .setTelemetry, .setCompactTelemetry: "telemetry"
    case .status: "status"
    case .alarms: "alarms"
    case .logTail: "log"
    case .version: "version"
    case .counters: "counters"
    case .patient: "patient"
    case .audit: "audit"
    case .program: "program"
    case .confirmSoftLimits: "confirm"
    case .start: "start"
    case .pause: "pause"
    case .resume: "resume"
    case .stop: "stop"
    case .changeBasalRate: "rate"
    case .patientBolus: "bolus"
    case .clinicianBolus: "cbolus"
    case .vitals: "vitals"
    case .acknowledgeAlarms: "ack"
    case .audioPause: "silence"
    case .clinicianReset: "reset"
    case .inject: "inject"
    case .clock: "clock"
    }
  }

  /// The arguments after the verb, nil when there are none.
  public static func arguments(_ r: HostRequest) -> String? {
    func c(_ s: String) -> String { s.filter { $0 != " " } }
    switch r {
    case .setTelemetry(let hz): return "\(hz)"
    case .setCompactTelemetry(let hz): return "\(hz) compact"
    case .alarms(let o): return o == 0 ? nil : "\(o)"
    case .logTail(let b), .audit(let b): return "\(b)"
    case .program(let p): return String(CommandParser.describe(p).dropFirst("program ".count))
    case .changeBasalRate(let v): return c(Quantity.format(v))
    case .clinicianBolus(let d): return c(Quantity.format(d))
    case .vitals(let v): return CommandParser.describe(v).lowercased()
    case .inject(let i): return injection(i)
    case .clock(.advance(let ms)): return "advance \(c(Quantity.format(ms)))"
    case .clock(.mode(let m)): return "mode \(m.rawValue.lowercased())"
    case .clock(.advanceWithVitals(let ms, let v)):
      return "vitals \(c(Quantity.format(ms))) \(CommandParser.describe(v).lowercased())"
    default: return nil
    }
  }

  static func injection(_ i: Injection) -> String {
    func c(_ s: String) -> String { s.filter { $0 != " " } }
    switch i {
    case .upstreamPressure(let p): return "upstream \(c(Quantity.format(p)))"
    case .downstreamPressure(let p): return "downstream \(c(Quantity.format(p)))"
    case .door(let open): return "door \(open ? "open" : "closed")"
    case .airBubble(let v): return "air \(c(Quantity.format(v)))"
    case .mains(let on): return "mains \(on ? "on" : "off")"
    case .batteryRemaining(let ms): return "battery \(c(Quantity.format(ms)))"
    case .motorStall(let on): return "stall \(on ? "on" : "off")"
    case .motorRunaway(let on): return "runaway \(on ? "on" : "off")"
    case .sensorFailure(let on): return "sensorfail \(on ? "on" : "off")"
    case .reservoir(let v): return "reservoir \(c(Quantity.format(v)))"
    case .upstreamOcclusion(let on): return "occlusion upstream \(on ? "on" : "off")"
    case .downstreamOcclusion(let on): return "occlusion downstream \(on ? "on" : "off")"
    case .power(let change):
      switch change {
      case .lost: return "power off"
      case .restored: return "power on"
      case .restoredSelfTestFailing: return "power on-failing"
      }
    case .hostLink(let up): return "link \(up ? "on" : "off")"
    case .fault(let f): return "fault \(WireNames.name(f, in: WireNames.faults))"
    }
  }
}
