import PumpCore

extension Telemetry {
  /// Writes the 25 telemetry fields (docs/PROTOCOL.md §4.5). Values are clamped to their wire
  /// ranges so a frame always fits in 255 bytes.
  public func encodeFields(into w: inout FieldWriter) {
    func c(_ v: Int64, _ max: Int64) -> Int64 { Swift.min(Swift.max(v, 0), max) }
    func v(_ x: Int32?) -> Int64? { x.map { c(Int64($0), 999) } }
    w.int(Int64(mode.code))
    w.int(Int64(mode.subCode))
    w.int(c(commandedRate.rawValue, 9_999_999))
    w.int(c(measuredRate.rawValue, 9_999_999))
    w.int(c(deliveredTotal.rawValue, 99_999_999_999))
    w.int(c(delivered1h.rawValue, 999_999_999))
    w.int(c(limit1h.rawValue, 999_999_999))
    w.int(c(delivered4h.rawValue, 999_999_999))
    w.int(c(limit4h.rawValue, 999_999_999))
    w.int(c(lockoutRemaining.rawValue, 99_999_999))
    w.int(c(bolusDemands, 999_999))
    w.int(c(bolusDeliveries, 999_999))
    w.int(c(reservoir.rawValue, 9_999_999))
    w.int(c(batteryRemaining.rawValue, 999_999_999))
    w.bool(onMains)
    w.int(c(upstreamPressure.rawValue, 999_999))
    w.int(c(downstreamPressure.rawValue, 999_999))
    w.optionalInt(v(vitals.sbp))
    w.optionalInt(v(vitals.dbp))
    w.optionalInt(v(vitals.hr))
    w.optionalInt(v(vitals.spo2))
    w.optionalInt(v(vitals.rr))
    w.optionalInt(vitalsAge.map { c($0.rawValue, 99_999_999) })
    w.int(c(Int64(alarmCount), 99))
    // The list field written in place (no clamped copy of the array).
    w.beginField()
    for (i, a) in alarms.prefix(Self.maxAlarms).enumerated() {
      if i > 0 { w.byte(UInt8(ascii: ";")) }
      var clamped = a
      clamped.audioPauseRemaining = Milliseconds(c(a.audioPauseRemaining.rawValue, 999_999))
      clamped.write(into: &w)
    }
  }

  /// Reads the 25 telemetry fields.
  public init(reading r: inout FieldReader) throws(ProtocolError) {
    let code = try r.int("mode", 0...255)
    let sub = try r.int("sub", 0...255)
    guard let mode = Mode(code: UInt8(code), subCode: UInt8(sub)) else {
      throw .outOfRange(field: "mode")
    }
    func v(_ name: String) throws(ProtocolError) -> Int32? {
      try r.optionalInt(name, 0...999).map(Int32.init)
    }
    self.init(
      mode: mode,
      commandedRate: MicrolitersPerHour(try r.int("commanded", 0...9_999_999)),
      measuredRate: MicrolitersPerHour(try r.int("measured", 0...9_999_999)),
      deliveredTotal: Micrograms(try r.int("total", 0...99_999_999_999)),
      delivered1h: Micrograms(try r.int("delivered1h", 0...999_999_999)),
      limit1h: Micrograms(try r.int("limit1h", 0...999_999_999)),
      delivered4h: Micrograms(try r.int("delivered4h", 0...999_999_999)),
      limit4h: Micrograms(try r.int("limit4h", 0...999_999_999)),
      lockoutRemaining: Milliseconds(try r.int("lockout", 0...99_999_999)),
      bolusDemands: try r.int("demands", 0...999_999),
      bolusDeliveries: try r.int("deliveries", 0...999_999),
      reservoir: Microliters(try r.int("reservoir", 0...9_999_999)),
      batteryRemaining: Milliseconds(try r.int("battery", 0...999_999_999)),
      onMains: try r.bool("mains"),
      upstreamPressure: MilliPSI(try r.int("upstream", 0...999_999)),
      downstreamPressure: MilliPSI(try r.int("downstream", 0...999_999)),
      vitals: VitalsSample(
        sbp: try v("sbp"), dbp: try v("dbp"), hr: try v("hr"), spo2: try v("spo2"),
        rr: try v("rr")),
      vitalsAge: try r.optionalInt("vitalsAge", 0...99_999_999).map { Milliseconds($0) },
      alarmCount: Int(try r.int("alarmCount", 0...99)),
      alarms: try AlarmStatus.parseList(try r.next("alarms"), max: Self.maxAlarms))
  }
}
