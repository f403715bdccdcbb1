import PumpCore
import PumpHardware
import PumpProtocol

extension TraceAction {
  /// The protocol role that carries this action over the wire (docs/PROTOCOL.md): vitals →
  /// vitals, presses → patient, clinician commands → clinician, hardware, power, link and
  /// clock → service.
  public var role: Role {
    switch self {
    case .vitals, .vitalsSeries: .vitals
    case .press: .patient
    case .clinician: .clinician
    case .inject, .powerLost, .powerRestored, .hostLink, .clockAdvance, .raw: .service
    case .asRole(_, let r), .disconnect(let r): r
    }
  }

  /// The request an online driver sends for this action, or nil for a vitals series (the runner
  /// expands it into single samples first). Occlusion flags, shell faults, power and the host
  /// link travel as `INJECT` targets (`UPOCCL`/`DOWNOCCL`, `FAULT`, `POWER`, `LINK`).
  public func hostRequest(prescription: Prescription) -> HostRequest? {
    switch self {
    case .vitals(let s): return .vitals(s)
    case .vitalsSeries: return nil
    case .press: return .patientBolus
    case .clinician(let c):
      switch c {
      case .program: return .program(prescription)
      case .reprogram(let changes): return .program(prescription.changing(changes))
      case .confirm: return .confirmSoftLimits
      case .start: return .start
      case .pause: return .pause
      case .resume: return .resume
      case .stop: return .stop
      case .rate(let r): return .changeBasalRate(r)
      case .bolus(let d): return .clinicianBolus(d)
      case .acknowledge: return .acknowledgeAlarms
      case .audioPause: return .audioPause
      case .reset: return .clinicianReset
      }
    case .inject(let i):
      switch i {
      case .pressure(let down, let p):
        return .inject(down ? .downstreamPressure(p) : .upstreamPressure(p))
      case .air(let v): return .inject(.airBubble(v))
      case .door(let open): return .inject(.door(open: open))
      case .mains(let on): return .inject(.mains(present: on))
      case .battery(let d): return .inject(.batteryRemaining(d))
      case .motorStall(let on): return .inject(.motorStall(on))
      case .motorRunaway(let on): return .inject(.motorRunaway(on))
      case .sensorFailure(let on): return .inject(.sensorFailure(on))
      case .reservoir(let v): return .inject(.reservoir(v))
      case .occlusion(let down, let on):
        return .inject(down ? .downstreamOcclusion(on) : .upstreamOcclusion(on))
      case .fault(let f): return .inject(.fault(f))
      }
    case .clockAdvance(let d): return .clock(.advance(d))
    case .powerLost: return .inject(.power(.lost))
    case .powerRestored(let passed):
      return .inject(.power(passed ? .restored : .restoredSelfTestFailing))
    case .hostLink(let up): return .inject(.hostLink(connected: up))
    case .asRole(let a, _): return a.hostRequest(prescription: prescription)
    case .raw, .disconnect: return nil
    }
  }
}

extension TraceAction {
  /// Why an offline replay skips this action (nil: it does not): raw bytes and session
  /// disconnects exist only on a serial line.
  public var offlineSkipReason: String? {
    switch self {
    case .raw: "raw bytes go to the serial line only (online replay); skipped offline"
    case .disconnect:
      "a session disconnect exists only on the serial line (online replay); skipped offline"
    default: nil
    }
  }

  /// The action itself, without an `as <role>`.
  public var unwrapped: TraceAction {
    if case .asRole(let a, _) = self { return a.unwrapped }
    return self
  }

  /// For `… as <role>`: true when the protocol's permission table lets `role` send this
  /// action's request (the firmware's own check, `Permission.allows`).
  public func permitted(as role: Role, prescription: Prescription) -> Bool {
    guard let r = hostRequest(prescription: prescription) else { return true }
    return r.kind.permission.allows(role)
  }
}
