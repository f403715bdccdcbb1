import PumpCore

extension HostRequest {
  /// PROGRAM fields in order (units and ranges in docs/PROTOCOL.md §4.3): drug entry
  /// 0…65535, care area (`CareArea` raw), concentration µg/mL 1…999999999, weight g 1…999999999,
  /// basal µg/h, loading µg, bolus µg, bolus rate µL/h, lockout ms, max boluses/h 0…999,
  /// limit 1 h µg, limit 4 h µg, VTBI µL, KVO µL/h, rate-increase interval ms; unmarked 0…999999999.
  /// Every prescription field is read with its one bound, `PrescriptionField.bounds` (PumpCore):
  /// the same range the drug library and the controller enforce (REQ-RX-BOUNDS-01).
  static func readPrescription(_ r: inout FieldReader) throws(ProtocolError) -> Prescription {
    func field(_ name: String, _ f: PrescriptionField) throws(ProtocolError) -> Int64 {
      try r.int(name, f.bounds)
    }
    let drug = try r.int("drug", 0...65_535)
    guard let area = CareArea(rawValue: UInt8(clamping: try r.int("area", 0...255))) else {
      throw .outOfRange(field: "area")
    }
    return Prescription(
      drugEntry: DrugEntryID(UInt16(drug)), careArea: area,
      concentration: MicrogramsPerMilliliter(try field("concentration", .concentration)),
      patientWeight: Grams(try field("weight", .patientWeight)),
      basalRate: MicrogramsPerHour(try field("basal", .basalRate)),
      loadingDose: Micrograms(try field("loading", .loadingDose)),
      bolusDose: Micrograms(try field("bolus", .bolusDose)),
      bolusRate: MicrolitersPerHour(try field("bolusRate", .bolusRate)),
      lockout: Milliseconds(try field("lockout", .lockout)),
      maxBolusesPerHour: try field("maxPerHour", .maxBolusesPerHour),
      limit1h: Micrograms(try field("limit1h", .limit1h)),
      limit4h: Micrograms(try field("limit4h", .limit4h)),
      vtbi: Microliters(try field("vtbi", .vtbi)),
      kvoRate: MicrolitersPerHour(try field("kvo", .kvoRate)),
      rateIncreaseInterval: Milliseconds(try field("rateInterval", .rateIncreaseInterval)))
  }

  static func writePrescription(_ p: Prescription, into w: inout FieldWriter) {
    w.int(Int64(p.drugEntry.rawValue))
    w.int(Int64(p.careArea.rawValue))
    w.int(p.concentration.rawValue)
    w.int(p.patientWeight.rawValue)
    w.int(p.basalRate.rawValue)
    w.int(p.loadingDose.rawValue)
    w.int(p.bolusDose.rawValue)
    w.int(p.bolusRate.rawValue)
    w.int(p.lockout.rawValue)
    w.int(p.maxBolusesPerHour)
    w.int(p.limit1h.rawValue)
    w.int(p.limit4h.rawValue)
    w.int(p.vtbi.rawValue)
    w.int(p.kvoRate.rawValue)
    w.int(p.rateIncreaseInterval.rawValue)
  }

  static func readInjection(_ r: inout FieldReader) throws(ProtocolError) -> Injection {
    let target = try r.next("target")
    switch target {
    case "UPSTREAM": return .upstreamPressure(MilliPSI(try r.int("value", 0...999_999)))
    case "DOWNSTREAM": return .downstreamPressure(MilliPSI(try r.int("value", 0...999_999)))
    case "DOOR": return .door(open: try r.bool("value"))
    case "AIR": return .airBubble(Microliters(try r.int("value", 0...999_999)))
    case "MAINS": return .mains(present: try r.bool("value"))
    case "BATTERY": return .batteryRemaining(Milliseconds(try r.int("value", quantity)))
    case "STALL": return .motorStall(try r.bool("value"))
    case "RUNAWAY": return .motorRunaway(try r.bool("value"))
    case "SENSORFAIL": return .sensorFailure(try r.bool("value"))
    case "RESERVOIR": return .reservoir(Microliters(try r.int("value", 0...99_999_999)))
    case "UPOCCL": return .upstreamOcclusion(try r.bool("value"))
    case "DOWNOCCL": return .downstreamOcclusion(try r.bool("value"))
    case "POWER":
      guard let p = PowerChange(rawValue: UInt8(try r.int("value", 0...2))) else {
        throw .outOfRange(field: "value")
      }
      return .power(p)
    case "LINK": return .hostLink(connected: try r.bool("value"))
    case "FAULT":
      guard let f = FaultCode(rawValue: UInt8(try r.int("value", 1...6))) else {
        throw .outOfRange(field: "value")
      }
      return .fault(f)
    default: throw .outOfRange(field: "target")
    }
  }

  static func writeInjection(_ i: Injection, into w: inout FieldWriter) {
    switch i {
    case .upstreamPressure(let p):
      w.text("UPSTREAM")
      w.int(p.rawValue)
    case .downstreamPressure(let p):
      w.text("DOWNSTREAM")
      w.int(p.rawValue)
    case .door(let open):
      w.text("DOOR")
      w.bool(open)
    case .airBubble(let v):
      w.text("AIR")
      w.int(v.rawValue)
    case .mains(let present):
      w.text("MAINS")
      w.bool(present)
    case .batteryRemaining(let ms):
      w.text("BATTERY")
      w.int(ms.rawValue)
    case .motorStall(let on):
      w.text("STALL")
      w.bool(on)
    case .motorRunaway(let on):
      w.text("RUNAWAY")
      w.bool(on)
    case .sensorFailure(let on):
      w.text("SENSORFAIL")
      w.bool(on)
    case .reservoir(let v):
      w.text("RESERVOIR")
      w.int(v.rawValue)
    case .upstreamOcclusion(let on):
      w.text("UPOCCL")
      w.bool(on)
    case .downstreamOcclusion(let on):
      w.text("DOWNOCCL")
      w.bool(on)
    case .power(let p):
      w.text("POWER")
      w.int(Int64(p.rawValue))
    case .hostLink(let up):
      w.text("LINK")
      w.bool(up)
    case .fault(let f):
      w.text("FAULT")
      w.int(Int64(f.rawValue))
    }
  }
}
