import PumpCore

extension Telemetry {
  /// The telemetry snapshot of a controller (docs/PROTOCOL.md §4.5).
  public init(_ c: PumpController) {
    let s = c.status
    let ages = s.vitalsAge.compactMap { $0 }
    self.init(
      mode: s.mode, commandedRate: s.commandedRate, measuredRate: s.measuredRate,
      deliveredTotal: s.deliveredTotal, delivered1h: s.delivered1h, limit1h: s.limit1h,
      delivered4h: s.delivered4h, limit4h: s.limit4h, lockoutRemaining: s.lockoutRemaining,
      bolusDemands: s.bolusDemands, bolusDeliveries: s.bolusGrants, reservoir: s.reservoir,
      batteryRemaining: s.batteryRemaining, onMains: s.onMains,
      upstreamPressure: s.upstreamPressure, downstreamPressure: s.downstreamPressure,
      vitals: s.vitals, vitalsAge: ages.min(), alarmCount: nil,
      alarms: AlarmStatus.active(in: c))
  }
}

extension AlarmStatus {
  /// Every active alarm of `c`, highest priority first, then earliest raised.
  public static func active(in c: PumpController) -> [AlarmStatus] {
    let pause = c.alarms.audioPausedUntil.map { max($0 - c.now, .zero) } ?? .zero
    return AlarmCode.allCases.filter { c.alarms.isActive($0) }
      .sorted {
        $0.priority != $1.priority
          ? $0.priority > $1.priority : c.alarms[$0].raisedAt < c.alarms[$1].raisedAt
      }
      .map {
        AlarmStatus(
          code: $0, acknowledged: c.alarms[$0].acknowledged,
          audioPauseRemaining: $0.properties.silenceable ? pause : .zero)
      }
  }
}

extension DeviceEvent {
  /// The EVT frames an effect produces (none for motor, log-only and rejection effects). A
  /// vitals interlock stop sends its ALARM and an INTERLOCK event naming the abnormal vitals.
  public static func events(for e: Effect, controller c: PumpController) -> [DeviceEvent] {
    switch e {
    case .alarmRaised(let code):
      if code == .vitalsInterlock {
        return [.alarmRaised(code, code.priority), .interlock(stopped: true, vitals: abnormal(c))]
      }
      return [.alarmRaised(code, code.priority)]
    case .alarmAcknowledged(let code): return [.alarmAcknowledged(code)]
    case .alarmCleared(let code): return [.alarmCleared(code)]
    case .bolusGranted(let dose, let lockout):
      return [.bolusGranted(dose: dose, lockoutRemaining: lockout)]
    case .bolusDenied(let why, let lockout): return [.bolusDenied(why, lockoutRemaining: lockout)]
    case .modeChanged(_, let to, _): return [.modeChanged(to)]
    case .interlockReset: return [.interlock(stopped: false, vitals: abnormal(c))]
    case .audioPauseBroken(let code): return [.audioPauseBroken(code)]
    case .occlusionReleased(let v): return [.occlusionReleased(v)]
    default: return []
    }
  }

  /// Bit set (`Vital.bit`) of the vitals whose latest value is outside its warning band.
  static func abnormal(_ c: PumpController) -> UInt8 {
    let v = c.status.vitals
    let p = c.policy
    let bands: [(Vital, VitalBand)] = [
      (.sbp, p.sbp), (.dbp, p.dbp), (.hr, p.hr), (.spo2, p.spo2), (.rr, p.rr),
    ]
    var mask: UInt8 = 0
    for (vital, band) in bands {
      if let x = v[vital], band.level(of: x).isAbnormal { mask |= vital.bit }
    }
    return mask
  }
}
