import PumpCore

private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

extension HostRequest {
  /// Largest value of most quantity fields (9 digits).
  static let quantity: ClosedRange<Int64> = 0...999_999_999

  /// Parses the request carried by `frame` (kind and fields; seq and MAC are the session's).
  public init(parsing frame: ParsedFrame) throws(ProtocolError) {
    guard let kind = RequestKind(rawValue: frame.kind) else {
      throw .unknownKind(frame.kind)
    }
    var r = FieldReader(frame.fields)
    switch kind {
    case .hello:
      let t = try r.next("version")
      // Syntax `1*3DIGIT "." 1*3DIGIT` (NAK 01); a number above 255 is out of range (NAK 03).
      let parts = t.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count == 2,
        parts.allSatisfy({ (1...3).contains($0.utf8.count) && $0.utf8.allSatisfy(isDigit) })
      else { throw .malformed(field: "version") }
      guard let v = ProtocolVersion(t) else { throw .outOfRange(field: "version") }
      self = .hello(v)
    case .ping: self = .ping
    case .login:
      let name = try r.next("role")
      guard let role = Role(rawValue: String(name)), role != .observer else {
        throw .outOfRange(field: "role")
      }
      self = .login(role, hostNonce: try r.hex("nonce", count: 16))
    case .auth: self = .auth(proof: try r.hex("proof", count: 16))
    case .logout: self = .logout
    case .setTelemetry:
      let hz = Int(try r.int("hz", 0...100))
      if r.atEnd {
        self = .setTelemetry(hertz: hz)
      } else {
        switch TelemetryFormat(rawValue: String(try r.next("format"))) {
        case .full?: self = .setTelemetry(hertz: hz)
        case .compact?: self = .setCompactTelemetry(hertz: hz)
        case nil: throw .outOfRange(field: "format")
        }
      }
    case .status: self = .status
    case .alarms: self = .alarms(offset: r.atEnd ? 0 : Int(try r.int("offset", 0...99)))
    case .log: self = .logTail(back: r.atEnd ? 0 : Int(try r.int("back", 0...99_999)))
    case .version: self = .version
    case .counters: self = .counters
    case .patient: self = .patient
    case .audit: self = .audit(back: r.atEnd ? 0 : Int(try r.int("back", 0...99_999)))
    case .program: self = .program(try Self.readPrescription(&r))
    case .confirm: self = .confirmSoftLimits
    case .start: self = .start
    case .pause: self = .pause
    case .resume: self = .resume
    case .stop: self = .stop
    case .changeRate:
      self = .changeBasalRate(MicrogramsPerHour(try r.int("rate", Self.quantity)))
    case .patientBolus: self = .patientBolus
    case .clinicianBolus:
      self = .clinicianBolus(Micrograms(try r.int("dose", 1...999_999_999)))
    case .vitals: self = .vitals(try Self.readVitals(&r))
    case .acknowledge: self = .acknowledgeAlarms
    case .audioPause: self = .audioPause
    case .reset: self = .clinicianReset
    case .inject: self = .inject(try Self.readInjection(&r))
    case .clock:
      let what = try r.next("clock")
      switch what {
      case "ADVANCE": self = .clock(.advance(Milliseconds(try r.int("ms", 1...86_400_000))))
      case "VITALS":
        let ms = Milliseconds(try r.int("ms", 1...86_400_000))
        self = .clock(.advanceWithVitals(ms, try Self.readVitals(&r)))
      case "MODE":
        guard let m = ClockMode(rawValue: String(try r.next("mode"))) else {
          throw .outOfRange(field: "mode")
        }
        self = .clock(.mode(m))
      default: throw .outOfRange(field: "clock")
      }
    }
    try r.end()
  }

  /// The five vitals fields of `VITALS` (and `CLOCK,VITALS`): SBP, DBP, HR, SpO2, RR, each
  /// 0…999 or empty, at least one present.
  static func readVitals(_ r: inout FieldReader) throws(ProtocolError) -> VitalsSample {
    let v = VitalsSample(
      sbp: try r.optionalInt("sbp", 0...999).map(Int32.init),
      dbp: try r.optionalInt("dbp", 0...999).map(Int32.init),
      hr: try r.optionalInt("hr", 0...999).map(Int32.init),
      spo2: try r.optionalInt("spo2", 0...999).map(Int32.init),
      rr: try r.optionalInt("rr", 0...999).map(Int32.init))
    guard v.sbp != nil || v.dbp != nil || v.hr != nil || v.spo2 != nil || v.rr != nil else {
      throw .malformed(field: "vitals")
    }
    return v
  }

  static func writeVitals(_ v: VitalsSample, into w: inout FieldWriter) {
    w.optionalInt(v.sbp.map(Int64.init))
    w.optionalInt(v.dbp.map(Int64.init))
    w.optionalInt(v.hr.map(Int64.init))
    w.optionalInt(v.spo2.map(Int64.init))
    w.optionalInt(v.rr.map(Int64.init))
  }

  /// Writes the request's fields after kind and seq.
  public func encodeFields(into w: inout FieldWriter) {
    switch self {
    case .hello(let v): w.text(v.description)
    case .login(let role, let nonce):
      w.text(role.rawValue)
      w.hex(nonce)
    case .auth(let proof): w.hex(proof)
    case .setTelemetry(let hz): w.int(Int64(hz))
    case .setCompactTelemetry(let hz):
      w.int(Int64(hz))
      w.text(TelemetryFormat.compact.rawValue)
    case .alarms(let offset): w.int(Int64(offset))
    case .logTail(let back), .audit(let back): w.int(Int64(back))
    case .program(let p): Self.writePrescription(p, into: &w)
    case .changeBasalRate(let r): w.int(r.rawValue)
    case .clinicianBolus(let d): w.int(d.rawValue)
    case .vitals(let v): Self.writeVitals(v, into: &w)
    case .inject(let i): Self.writeInjection(i, into: &w)
    case .clock(.advance(let ms)):
      w.text("ADVANCE")
      w.int(ms.rawValue)
    case .clock(.mode(let m)):
      w.text("MODE")
      w.text(m.rawValue)
    case .clock(.advanceWithVitals(let ms, let v)):
      w.text("VITALS")
      w.int(ms.rawValue)
      Self.writeVitals(v, into: &w)
    case .ping, .logout, .status, .version, .counters, .patient, .confirmSoftLimits, .start, .pause,
      .resume, .stop, .patientBolus, .acknowledgeAlarms, .audioPause, .clinicianReset:
      break
    }
  }

  /// The body (kind, seq, fields) of this request with sequence number `seq`.
  public func body(seq: UInt32) -> FieldWriter {
    var w = FieldWriter(kind: kind.rawValue, seq: seq)
    encodeFields(into: &w)
    return w
  }
}
