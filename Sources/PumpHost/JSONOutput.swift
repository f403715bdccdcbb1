import PumpCore
import PumpProtocol
import PumpTrace

/// The JSON objects pumpmon prints with `--json`, one per line, each with a `type`: `reply`,
/// `nak`, `event`, `telemetry`, `link`, `counters`, `error` (docs/PUMPMON.md lists the fields).
/// Times `t_ms` are milliseconds since the command started.
public enum JSONOutput {
  /// `{"type":"reply","command":"rate 6mg/h","kind":"RATE","seq":7,"ok":true,…}`.
  public static func reply(_ command: HostRequest, _ r: DeviceReply, tMs: Int64) -> JSONValue {
    var o: [String: JSONValue] = [
      "command": .string(CommandText.of(command)), "kind": .string(command.kind.rawValue),
      "seq": .int(Int64(r.seq)), "t_ms": .int(tMs),
    ]
    switch r.result {
    case .nak(let n):
      o["type"] = "nak"
      o["ok"] = false
      o["code"] = .int(Int64(n.code.rawValue))
      o["name"] = .string(n.code.name)
      o["detail"] = .int(n.detail)
      o["reason"] = .string(n.reason)
      o["message"] = .string(WireNames.describe(n))
      if n.code == .rejected, let why = Rejection(rawValue: UInt8(clamping: n.detail)) {
        o["rejection"] = .string(WireNames.name(why))
      }
      if n.code == .bolusDenied, let why = BolusDenial(rawValue: UInt8(clamping: n.detail)) {
        o["denial"] = .string(WireNames.name(why))
      }
    case .ack(let a):
      o["type"] = "reply"
      o["ok"] = true
      o["text"] = .string(Describe.reply(r))
      switch a {
      case .status(let t): o["status"] = telemetryFields(t)
      case .hello(let i), .version(let i): o["device"] = device(i)
      case .counters(let c): o["device_counters"] = deviceCounters(c)
      case .alarms(let p):
        o["alarms"] = .array(p.alarms.map(alarm))
        o["total"] = .int(Int64(p.total))
      case .log(let e):
        o["log"] = .object([
          "back": .int(Int64(e.back)), "available": .int(Int64(e.available)),
          "text": .string(e.text),
        ])
      case .audit(let e): o["audit"] = audit(e)
      case .patient(let p): o["patient"] = patient(p)
      case .done, .login: break
      }
    }
    return .object(o)
  }

  /// The PATIENT reply: `{"t_ms":…,"profile":"adult-70kg","seed":1,"cp_x10":1234,…}`. Every
  /// `_x10` value is an integer count of tenths, as on the wire (Cp, Ce ng/mL; pain NRS;
  /// dissociation 0–100; HR, RR /min; SBP, DBP mmHg; SpO2 %).
  public static func patient(_ p: PatientReadout) -> JSONValue {
    .object([
      "t_ms": .int(p.time.rawValue), "profile": .string(p.profileID),
      "seed": p.seed <= UInt64(Int64.max) ? .int(Int64(p.seed)) : .string("\(p.seed)"),
      "cp_x10": .int(p.plasmaTenths), "ce_x10": .int(p.effectSiteTenths),
      "pain_x10": .int(p.painTenths), "dissociation_x10": .int(p.dissociationTenths),
      "hr_x10": .int(p.hrTenths), "sbp_x10": .int(p.sbpTenths), "dbp_x10": .int(p.dbpTenths),
      "spo2_x10": .int(p.spo2Tenths), "rr_x10": .int(p.rrTenths), "presses": .int(p.presses),
    ])
  }

  /// One audit record: `{"type":"audit","back":0,"available":12,"t_ms":…,"role":"clinician",…}`.
  public static func audit(_ e: AuditEntry) -> JSONValue {
    .object([
      "type": "audit", "back": .int(Int64(e.back)), "available": .int(Int64(e.available)),
      "t_ms": .int(e.record.time.rawValue), "role": .string(e.record.role.rawValue),
      "command": .string(e.record.command), "seq": .int(e.record.seq.map(Int64.init)),
      "outcome": .string(e.record.outcome.rawValue), "reason": .string(e.record.reason),
    ])
  }

  /// `{"type":"event","event":"ALARM","alarm":"occlusion-downstream","priority":"high",…}`.
  public static func event(_ e: DeviceEvent, authenticated: Bool, tMs: Int64) -> JSONValue {
    var o: [String: JSONValue] = [
      "type": "event", "event": .string(e.name), "text": .string(Describe.event(e)),
      "authenticated": .bool(authenticated), "t_ms": .int(tMs),
    ]
    switch e {
    case .alarmRaised(let c, let p):
      o["alarm"] = .string(WireNames.name(c))
      o["priority"] = .string(WireNames.name(p))
    case .alarmAcknowledged(let c), .alarmCleared(let c): o["alarm"] = .string(WireNames.name(c))
    case .bolusGranted(let d, let l):
      o["dose_ug"] = .int(d.rawValue)
      o["lockout_ms"] = .int(l.rawValue)
    case .bolusDenied(let why, let l):
      o["denial"] = .string(WireNames.name(why))
      o["lockout_ms"] = .int(l.rawValue)
    case .modeChanged(let m): o["mode"] = .string(WireNames.name(m))
    case .interlock(let stopped, let mask):
      o["stopped"] = .bool(stopped)
      o["vitals"] = .string(WireNames.vitalsMask(mask))
    case .audioPauseBroken(let c): o["alarm"] = .string(WireNames.name(c))
    case .occlusionReleased(let v): o["volume_ul"] = .int(v.rawValue)
    }
    return .object(o)
  }

  /// `{"type":"telemetry",…fields…}`.
  public static func telemetry(_ t: Telemetry, authenticated: Bool, tMs: Int64) -> JSONValue {
    guard case .object(var o) = telemetryFields(t) else { return .null }
    o["type"] = "telemetry"
    o["authenticated"] = .bool(authenticated)
    o["t_ms"] = .int(tMs)
    return .object(o)
  }

  /// The 25 telemetry fields with their units in the key names.
  public static func telemetryFields(_ t: Telemetry) -> JSONValue {
    .object([
      "mode": .string(WireNames.name(t.mode)),
      "commanded_rate_ul_h": .int(t.commandedRate.rawValue),
      "measured_rate_ul_h": .int(t.measuredRate.rawValue),
      "delivered_total_ug": .int(t.deliveredTotal.rawValue),
      "delivered_1h_ug": .int(t.delivered1h.rawValue), "limit_1h_ug": .int(t.limit1h.rawValue),
      "delivered_4h_ug": .int(t.delivered4h.rawValue), "limit_4h_ug": .int(t.limit4h.rawValue),
      "lockout_remaining_ms": .int(t.lockoutRemaining.rawValue),
      "bolus_demands": .int(t.bolusDemands), "bolus_deliveries": .int(t.bolusDeliveries),
      "reservoir_ul": .int(t.reservoir.rawValue),
      "battery_remaining_ms": .int(t.batteryRemaining.rawValue), "on_mains": .bool(t.onMains),
      "upstream_mpsi": .int(t.upstreamPressure.rawValue),
      "downstream_mpsi": .int(t.downstreamPressure.rawValue),
      "sbp": .int(t.vitals.sbp.map(Int64.init)), "dbp": .int(t.vitals.dbp.map(Int64.init)),
      "hr": .int(t.vitals.hr.map(Int64.init)), "spo2": .int(t.vitals.spo2.map(Int64.init)),
      "rr": .int(t.vitals.rr.map(Int64.init)), "vitals_age_ms": .int(t.vitalsAge?.rawValue),
      "alarm_count": .int(Int64(t.alarmCount)), "alarms": .array(t.alarms.map(alarm)),
    ])
  }

  /// `{"alarm":"…","priority":"high","acknowledged":false,"audio_pause_ms":0}`.
  public static func alarm(_ a: AlarmStatus) -> JSONValue {
    .object([
      "alarm": .string(WireNames.name(a.code)), "priority": .string(WireNames.name(a.priority)),
      "acknowledged": .bool(a.acknowledged), "audio_pause_ms": .int(a.audioPauseRemaining.rawValue),
    ])
  }

  /// The device identity from HELLO.
  public static func device(_ i: DeviceInfo) -> JSONValue {
    .object([
      "device_id": .string(i.deviceId), "firmware": .string(i.firmwareVersion),
      "protocol": .string(i.protocolVersion.description), "profile": .string(i.hardwareProfile),
      "capabilities": .int(Int64(i.capabilities.rawValue)),
    ])
  }

  /// The device's COUNTERS reply.
  public static func deviceCounters(_ c: LinkCounters) -> JSONValue {
    .object([
      "crc_errors": .int(Int64(c.frames.crcErrors)), "overlong": .int(Int64(c.frames.overlong)),
      "garbage_bytes": .int(Int64(c.frames.garbageBytes)),
      "frames_dropped": .int(Int64(c.frames.framesDropped)),
      "frames_accepted": .int(Int64(c.frames.framesAccepted)),
      "console_lines": .int(Int64(c.frames.consoleLines)),
      "malformed": .int(Int64(c.session.malformed)), "bad_mac": .int(Int64(c.session.badMac)),
      "stale_sequence": .int(Int64(c.session.staleSequence)),
      "retransmits": .int(Int64(c.session.retransmits)),
      "auth_failures": .int(Int64(c.session.authFailures)), "naks": .int(Int64(c.session.naks)),
    ])
  }

  /// The host side's link counters (`LinkStats`).
  public static func counters(_ s: LinkStats, tMs: Int64) -> JSONValue {
    .object([
      "type": "counters", "t_ms": .int(tMs), "crc_errors": .int(Int64(s.crcErrors)),
      "frames_dropped": .int(Int64(s.framesDropped)),
      "frames_accepted": .int(Int64(s.framesAccepted)),
      "garbage_bytes": .int(Int64(s.garbageBytes)), "sequence_gaps": .int(Int64(s.gaps)),
      "device_restarts": .int(Int64(s.deviceRestarts)),
      "retransmits": .int(Int64(s.retransmits)),
      "timeouts": .int(Int64(s.timeouts)), "bad_mac": .int(Int64(s.badMac)),
      "malformed": .int(Int64(s.malformed)), "reconnects": .int(Int64(s.reconnects)),
    ])
  }

  /// `{"type":"error","message":…,"exit":N}` (plus `file`/`line` for script errors).
  public static func error(_ message: String, exit: Int32, extra: [String: JSONValue] = [:])
    -> JSONValue
  {
    var o = extra
    o["type"] = "error"
    o["message"] = .string(message)
    o["exit"] = .int(Int64(exit))
    return .object(o)
  }
}
