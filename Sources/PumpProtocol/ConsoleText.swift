import PumpCore

/// Readable answers to console lines (docs/PROTOCOL.md §3). Each line ends in CR LF.
public enum ConsoleText {
  /// The console words accepted (all read-only).
  public static let queries = [
    "status", "alarms", "log", "version", "counters", "patient", "help",
  ]

  static func lines(_ l: [String]) -> [UInt8] {
    Array(l.map { $0 + "\r\n" }.joined().utf8)
  }

  static func help() -> [UInt8] {
    lines([
      "KetaPump console (read-only): status | alarms | log [n] | version | counters | patient"
        + " | help",
      "Commands that change anything need checksummed, authenticated frames (docs/PROTOCOL.md).",
    ])
  }

  static func info(_ i: DeviceInfo) -> String {
    "device=\(i.deviceId) firmware=\(i.firmwareVersion) protocol=\(i.protocolVersion)"
      + " profile=\(i.hardwareProfile) caps=\(Hex.encode([UInt8(i.capabilities.rawValue >> 8), UInt8(i.capabilities.rawValue & 0xFF)]))"
  }

  static func version(_ i: DeviceInfo) -> [UInt8] { lines(["VERSION " + info(i)]) }

  static func counters(_ c: LinkCounters) -> [UInt8] {
    let f = c.frames
    let s = c.session
    return lines([
      "COUNTERS crc-errors=\(f.crcErrors) overlong=\(f.overlong) garbage-bytes=\(f.garbageBytes)"
        + " frames-dropped=\(f.framesDropped) frames-accepted=\(f.framesAccepted)"
        + " console-lines=\(f.consoleLines) malformed=\(s.malformed) bad-mac=\(s.badMac)"
        + " stale-seq=\(s.staleSequence) retransmits=\(s.retransmits)"
        + " auth-failures=\(s.authFailures) naks=\(s.naks)"
    ])
  }

  /// A telemetry snapshot as two readable lines.
  public static func status(_ t: Telemetry) -> [UInt8] {
    func o(_ v: Int32?) -> String { v.map(String.init) ?? "-" }
    let v = t.vitals
    return lines([
      "STATUS mode=\(t.mode.consoleName) rate=\(t.commandedRate.rawValue)uL/h"
        + " measured=\(t.measuredRate.rawValue)uL/h delivered=\(t.deliveredTotal.rawValue)ug"
        + " 1h=\(t.delivered1h.rawValue)/\(t.limit1h.rawValue)ug"
        + " 4h=\(t.delivered4h.rawValue)/\(t.limit4h.rawValue)ug"
        + " lockout=\(t.lockoutRemaining.rawValue)ms boluses=\(t.bolusDeliveries)/\(t.bolusDemands)",
      "  reservoir=\(t.reservoir.rawValue)uL battery=\(t.batteryRemaining.rawValue)ms"
        + " mains=\(t.onMains ? "yes" : "no") upstream=\(t.upstreamPressure.rawValue)mpsi"
        + " downstream=\(t.downstreamPressure.rawValue)mpsi sbp=\(o(v.sbp)) dbp=\(o(v.dbp))"
        + " hr=\(o(v.hr)) spo2=\(o(v.spo2)) rr=\(o(v.rr))"
        + " vitals-age=\(t.vitalsAge.map { "\($0.rawValue)ms" } ?? "-") alarms=\(t.alarmCount)",
    ])
  }

  static func alarms(_ list: [AlarmStatus]) -> [UInt8] {
    var l = ["ALARMS \(list.count) active"]
    for a in list {
      l.append(
        "  \(WireNames.name(a.code)) code=\(a.code.rawValue) priority=\(WireNames.name(a.priority))"
          + " acknowledged=\(a.acknowledged ? "yes" : "no")"
          + " audio-pause=\(a.audioPauseRemaining.rawValue)ms")
    }
    return lines(l)
  }

  static func log(_ e: LogEntry) -> [UInt8] {
    lines(["LOG \(e.back)/\(e.available) \(e.text)"])
  }

  /// The simulated patient in one readable line (tenths shown as decimals).
  static func patient(_ p: PatientReadout) -> [UInt8] {
    func d(_ t: Int64) -> String { "\(t / 10).\(t % 10)" }
    return lines([
      "PATIENT t=\(p.time.rawValue)ms profile=\(p.profileID) seed=\(p.seed)"
        + " cp=\(d(p.plasmaTenths))ng/mL ce=\(d(p.effectSiteTenths))ng/mL pain=\(d(p.painTenths))"
        + " dissociation=\(d(p.dissociationTenths)) hr=\(d(p.hrTenths)) sbp=\(d(p.sbpTenths))"
        + " dbp=\(d(p.dbpTenths)) spo2=\(d(p.spo2Tenths)) rr=\(d(p.rrTenths)) presses=\(p.presses)"
    ])
  }

  static func nak(_ n: Nak) -> [UInt8] {
    lines(["NAK \(n.code.rawValue < 10 ? "0" : "")\(n.code.rawValue) \(n.code.name): \(n.reason)"])
  }
}
