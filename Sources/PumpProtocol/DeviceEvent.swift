import PumpCore

/// Unsolicited device events, sent as `EVT,<dseq>,<name>,<fields>` frames (docs/PROTOCOL.md
/// §4.6). The firmware fills them from the controller's effects.
public enum DeviceEvent: Hashable, Sendable {
  /// `ALARM,<code>,<priority>`.
  case alarmRaised(AlarmCode, AlarmPriority)
  /// `ALMACK,<code>`.
  case alarmAcknowledged(AlarmCode)
  /// `ALMCLR,<code>`.
  case alarmCleared(AlarmCode)
  /// `BOLUSOK,<dose µg 0…999999999>,<lockout remaining ms 0…99999999>`.
  case bolusGranted(dose: Micrograms, lockoutRemaining: Milliseconds)
  /// `BOLUSNO,<BolusDenial raw>,<lockout remaining ms 0…99999999>`.
  case bolusDenied(BolusDenial, lockoutRemaining: Milliseconds)
  /// `MODE,<mode code>,<sub-code>`: the sub-code carries the reason (pause reason, phase, fault).
  case modeChanged(Mode)
  /// `INTERLOCK,<stopped 0|1>,<vitals mask 0…31 (Vital.bit)>`: interlock stop or clearance and
  /// the vitals that caused it.
  case interlock(stopped: Bool, vitals: UInt8)
  /// `AUDIOBRK,<code>`: an alarm broke an audio pause (its sound is back before the pause
  /// ended). Protocol 1.0 addition (§8: a new event name).
  case audioPauseBroken(AlarmCode)
  /// `OCCLREL,<µL>`: an occlusion that alarmed cleared, releasing this volume into the line at
  /// once (IEC 60601-2-24's release bolus). Protocol 1.0 addition (§8: a new event name).
  case occlusionReleased(Microliters)

  /// Wire name of the event.
  public var name: String {
    switch self {
    case .alarmRaised: "ALARM"
    case .alarmAcknowledged: "ALMACK"
    case .alarmCleared: "ALMCLR"
    case .bolusGranted: "BOLUSOK"
    case .bolusDenied: "BOLUSNO"
    case .modeChanged: "MODE"
    case .interlock: "INTERLOCK"
    case .audioPauseBroken: "AUDIOBRK"
    case .occlusionReleased: "OCCLREL"
    }
  }

  /// Writes name and fields.
  public func encodeFields(into w: inout FieldWriter) {
    w.text(name)
    switch self {
    case .alarmRaised(let c, let p):
      w.int(Int64(c.rawValue))
      w.int(Int64(p.rawValue))
    case .alarmAcknowledged(let c), .alarmCleared(let c), .audioPauseBroken(let c):
      w.int(Int64(c.rawValue))
    case .bolusGranted(let dose, let lockout):
      w.int(min(max(dose.rawValue, 0), 999_999_999))
      w.int(min(max(lockout.rawValue, 0), 99_999_999))
    case .bolusDenied(let why, let lockout):
      w.int(Int64(why.rawValue))
      w.int(min(max(lockout.rawValue, 0), 99_999_999))
    case .modeChanged(let m):
      w.int(Int64(m.code))
      w.int(Int64(m.subCode))
    case .interlock(let stopped, let mask):
      w.bool(stopped)
      w.int(Int64(mask & 0x1F))
    case .occlusionReleased(let v): w.int(min(max(v.rawValue, 0), 9_999_999))
    }
  }

  /// Reads name and fields.
  public init(reading r: inout FieldReader) throws(ProtocolError) {
    func alarm() throws(ProtocolError) -> AlarmCode {
      guard let c = AlarmCode(rawValue: UInt8(try r.int("code", 0...255))) else {
        throw .outOfRange(field: "code")
      }
      return c
    }
    let name = try r.next("event")
    switch name {
    case "ALARM":
      let c = try alarm()
      guard let p = AlarmPriority(rawValue: UInt8(try r.int("priority", 0...3))) else {
        throw .outOfRange(field: "priority")
      }
      self = .alarmRaised(c, p)
    case "ALMACK": self = .alarmAcknowledged(try alarm())
    case "ALMCLR": self = .alarmCleared(try alarm())
    case "AUDIOBRK": self = .audioPauseBroken(try alarm())
    case "BOLUSOK":
      self = .bolusGranted(
        dose: Micrograms(try r.int("dose", 0...999_999_999)),
        lockoutRemaining: Milliseconds(try r.int("lockout", 0...99_999_999)))
    case "BOLUSNO":
      guard let d = BolusDenial(rawValue: UInt8(try r.int("reason", 0...255))) else {
        throw .outOfRange(field: "reason")
      }
      self = .bolusDenied(d, lockoutRemaining: Milliseconds(try r.int("lockout", 0...99_999_999)))
    case "MODE":
      let code = try r.int("mode", 0...255)
      let sub = try r.int("sub", 0...255)
      guard let m = Mode(code: UInt8(code), subCode: UInt8(sub)) else {
        throw .outOfRange(field: "mode")
      }
      self = .modeChanged(m)
    case "INTERLOCK":
      self = .interlock(stopped: try r.bool("stopped"), vitals: UInt8(try r.int("vitals", 0...31)))
    case "OCCLREL": self = .occlusionReleased(Microliters(try r.int("volume", 0...9_999_999)))
    default: throw .unknownKind(String(name))
    }
  }
}
