import PumpConfig
import PumpCore
import PumpProtocol

/// One-line texts for telemetry, events and replies, shared by the plain log, the traffic log and
/// the dashboard's event log. Units are shown in mg, mL/h and seconds; secrets never appear.
public enum Describe {
  /// `infusing(basal) cmd 1 mL/h meas 1 mL/h total 0.5 mg 1h 0.5/15 mg 4h 0.5/40 mg lockout 0s
  /// alarms 0`.
  public static func telemetry(_ t: Telemetry) -> String {
    var s = "\(WireNames.name(t.mode)) cmd \(Quantity.format(t.commandedRate))"
    s += " meas \(Quantity.format(t.measuredRate)) total \(Quantity.format(t.deliveredTotal))"
    s += " 1h \(mg(t.delivered1h))/\(Quantity.format(t.limit1h))"
    s += " 4h \(mg(t.delivered4h))/\(Quantity.format(t.limit4h))"
    s += " lockout \(seconds(t.lockoutRemaining)) bolus \(t.bolusDeliveries)/\(t.bolusDemands)"
    s += " reservoir \(Quantity.format(t.reservoir))"
    if t.vitals.sbp != nil || t.vitals.hr != nil || t.vitals.spo2 != nil || t.vitals.rr != nil {
      s += " vitals \(CommandParser.describe(t.vitals))"
    }
    s += " alarms \(t.alarmCount)"
    for a in t.alarms { s += " \(alarm(a))" }
    return s
  }

  /// `occlusion-downstream(high,ack,paused 90s)`.
  public static func alarm(_ a: AlarmStatus) -> String {
    var flags = [WireNames.name(a.priority)]
    if a.acknowledged { flags.append("ack") }
    if a.audioPauseRemaining > .zero { flags.append("paused \(seconds(a.audioPauseRemaining))") }
    return "\(WireNames.name(a.code))(\(flags.joined(separator: ",")))"
  }

  /// `ALARM occlusion-downstream high`, `BOLUS granted 2 mg, lockout 600s`, `MODE paused(alarm)`.
  public static func event(_ e: DeviceEvent) -> String {
    switch e {
    case .alarmRaised(let c, let p): "ALARM \(WireNames.name(c)) \(WireNames.name(p))"
    case .alarmAcknowledged(let c): "ALARM acknowledged \(WireNames.name(c))"
    case .alarmCleared(let c): "ALARM cleared \(WireNames.name(c))"
    case .bolusGranted(let d, let l):
      "BOLUS granted \(Quantity.format(d)), lockout \(seconds(l))"
    case .bolusDenied(let why, let l):
      "BOLUS denied (\(WireNames.name(why))), lockout \(seconds(l))"
    case .modeChanged(let m): "MODE \(WireNames.name(m))"
    case .interlock(let stopped, let mask):
      "INTERLOCK \(stopped ? "stopped" : "cleared") vitals \(WireNames.vitalsMask(mask))"
    case .audioPauseBroken(let c): "AUDIO PAUSE broken by \(WireNames.name(c))"
    case .occlusionReleased(let v): "OCCLUSION released \(Quantity.format(v)) into the line"
    }
  }

  /// `ACK START`, `NAK 15 bolus-denied (lockout): …`, `ACK STATUS infusing(basal) …`.
  public static func reply(_ r: DeviceReply) -> String {
    switch r.result {
    case .nak(let n): return WireNames.describe(n)
    case .ack(let a):
      switch a {
      case .done(let k): return "ACK \(k.rawValue)"
      case .hello(let i), .version(let i):
        return "ACK \(a.kind.rawValue) \(i.deviceId) firmware \(i.firmwareVersion) protocol "
          + "\(i.protocolVersion) profile \(i.hardwareProfile)"
      case .login: return "ACK LOGIN <challenge>"
      case .status(let t): return "ACK STATUS \(telemetry(t))"
      case .alarms(let p):
        return "ACK ALARMS \(p.total) active" + p.alarms.map { " " + alarm($0) }.joined()
      case .log(let e): return "ACK LOG \(e.back)/\(e.available) \(e.text)"
      case .counters(let c): return "ACK COUNTERS \(counters(c))"
      case .audit(let e): return "ACK AUDIT \(e.back)/\(e.available) \(audit(e.record))"
      case .patient(let p): return "ACK PATIENT \(patient(p))"
      }
    }
  }

  /// `adult-70kg seed 1 t=1:00:00 Cp 123.4 Ce 120.1 ng/mL pain 3.2 dissociation 45.0 HR 81.3
  /// BP 131.0/80.2 SpO2 97.9 RR 14.1 presses 12` (true values, not the monitor's).
  public static func patient(_ p: PatientReadout) -> String {
    func d(_ t: Int64) -> String { "\(t / 10).\(t % 10)" }
    return "\(p.profileID) seed \(p.seed) t=\(clock(p.time)) Cp \(d(p.plasmaTenths))"
      + " Ce \(d(p.effectSiteTenths)) ng/mL pain \(d(p.painTenths))"
      + " dissociation \(d(p.dissociationTenths)) HR \(d(p.hrTenths))"
      + " BP \(d(p.sbpTenths))/\(d(p.dbpTenths)) SpO2 \(d(p.spo2Tenths)) RR \(d(p.rrTenths))"
      + " presses \(p.presses)"
  }

  /// `t=12.345s clinician START #4 accepted: ok`.
  public static func audit(_ r: AuditRecord) -> String {
    "t=\(Quantity.format(r.time)) \(r.role.rawValue) \(r.command)"
      + (r.seq.map { " #\($0)" } ?? "") + " \(r.outcome.rawValue): \(r.reason)"
  }

  /// The device's counters as `crc-errors=0 overlong=0 …`.
  public static func counters(_ c: LinkCounters) -> String {
    let f = c.frames
    let s = c.session
    return "crc-errors=\(f.crcErrors) overlong=\(f.overlong) garbage=\(f.garbageBytes)"
      + " dropped=\(f.framesDropped) accepted=\(f.framesAccepted) console=\(f.consoleLines)"
      + " malformed=\(s.malformed) bad-mac=\(s.badMac) stale-seq=\(s.staleSequence)"
      + " retransmits=\(s.retransmits) auth-failures=\(s.authFailures) naks=\(s.naks)"
  }

  /// `0.5 mg` without the unit: `0.5`.
  static func mg(_ v: Micrograms) -> String {
    let s = Quantity.format(v)
    return s.hasSuffix(" mg") ? String(s.dropLast(3)) : s
  }

  /// Whole seconds, rounded up: `420s`; `0s` for zero.
  public static func seconds(_ ms: Milliseconds) -> String {
    "\((max(ms.rawValue, 0) + 999) / 1000)s"
  }

  /// `9:58` (minutes:seconds, rounded up), `1:02:03` past an hour.
  public static func clock(_ ms: Milliseconds) -> String {
    let s = (max(ms.rawValue, 0) + 999) / 1000
    let h = s / 3600
    let m = (s / 60) % 60
    let sec = s % 60
    let two = { (v: Int64) in v < 10 ? "0\(v)" : "\(v)" }
    return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(m):\(two(sec))"
  }
}
