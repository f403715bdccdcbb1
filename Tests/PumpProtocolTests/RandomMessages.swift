import PumpCore
import PumpNoise

@testable import PumpProtocol

/// Random protocol values within their wire ranges, for round-trip property tests.
struct RandomMessages {
  var rng: SeededGenerator

  mutating func int(_ r: ClosedRange<Int64>) -> Int64 {
    // Bias toward the bounds so edge values are covered.
    switch rng.next() % 9 {
    case 0: return r.lowerBound
    case 1: return r.upperBound
    default: return Int64.random(in: r, using: &rng)
    }
  }
  mutating func bool() -> Bool { rng.next() & 1 == 1 }
  mutating func bytes(_ n: Int) -> [UInt8] {
    (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
  }
  mutating func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
  mutating func opt(_ r: ClosedRange<Int64>) -> Int64? { bool() ? int(r) : nil }
  mutating func text(_ max: Int) -> String {
    let chars = Array("abcXYZ019 .-_:;()/=+!?".utf8)
    return String(
      decoding: (0..<Int.random(in: 1...max, using: &rng)).map { _ in pick(chars) }, as: UTF8.self)
  }

  mutating func prescription() -> Prescription {
    let q: ClosedRange<Int64> = 0...999_999_999
    return Prescription(
      drugEntry: DrugEntryID(UInt16(int(0...65_535))), careArea: pick(CareArea.allCases),
      concentration: MicrogramsPerMilliliter(int(1...999_999_999)),
      patientWeight: Grams(int(1...999_999_999)), basalRate: MicrogramsPerHour(int(q)),
      loadingDose: Micrograms(int(q)), bolusDose: Micrograms(int(q)),
      bolusRate: MicrolitersPerHour(int(q)), lockout: Milliseconds(int(q)),
      maxBolusesPerHour: int(0...999), limit1h: Micrograms(int(q)), limit4h: Micrograms(int(q)),
      vtbi: Microliters(int(q)), kvoRate: MicrolitersPerHour(int(q)),
      rateIncreaseInterval: Milliseconds(int(q)))
  }

  mutating func vitals(atLeastOne: Bool) -> VitalsSample {
    while true {
      let v = VitalsSample(
        sbp: opt(0...999).map(Int32.init), dbp: opt(0...999).map(Int32.init),
        hr: opt(0...999).map(Int32.init), spo2: opt(0...999).map(Int32.init),
        rr: opt(0...999).map(Int32.init))
      if !atLeastOne || v.sbp != nil || v.dbp != nil || v.hr != nil || v.spo2 != nil || v.rr != nil
      {
        return v
      }
    }
  }

  mutating func injection() -> Injection {
    switch rng.next() % 15 {
    case 0: .upstreamPressure(MilliPSI(int(0...999_999)))
    case 1: .downstreamPressure(MilliPSI(int(0...999_999)))
    case 2: .door(open: bool())
    case 3: .airBubble(Microliters(int(0...999_999)))
    case 4: .mains(present: bool())
    case 5: .batteryRemaining(Milliseconds(int(0...999_999_999)))
    case 6: .motorStall(bool())
    case 7: .motorRunaway(bool())
    case 8: .sensorFailure(bool())
    case 9: .upstreamOcclusion(bool())
    case 10: .downstreamOcclusion(bool())
    case 11: .power(pick(PowerChange.allCases))
    case 12: .hostLink(connected: bool())
    case 13: .fault(FaultCode(rawValue: UInt8(int(1...6)))!)
    default: .reservoir(Microliters(int(0...99_999_999)))
    }
  }

  mutating func request(_ kind: RequestKind) -> HostRequest {
    switch kind {
    case .hello: .hello(ProtocolVersion(major: UInt8(int(0...255)), minor: UInt8(int(0...255))))
    case .ping: .ping
    case .login: .login(pick(Role.authenticated), hostNonce: bytes(16))
    case .auth: .auth(proof: bytes(16))
    case .logout: .logout
    case .setTelemetry: .setTelemetry(hertz: Int(int(0...100)))
    case .status: .status
    case .alarms: .alarms(offset: Int(int(0...99)))
    case .log: .logTail(back: Int(int(0...99_999)))
    case .version: .version
    case .counters: .counters
    case .patient: .patient
    case .audit: .audit(back: Int(int(0...99_999)))
    case .program: .program(prescription())
    case .confirm: .confirmSoftLimits
    case .start: .start
    case .pause: .pause
    case .resume: .resume
    case .stop: .stop
    case .changeRate: .changeBasalRate(MicrogramsPerHour(int(0...999_999_999)))
    case .patientBolus: .patientBolus
    case .clinicianBolus: .clinicianBolus(Micrograms(int(1...999_999_999)))
    case .vitals: .vitals(vitals(atLeastOne: true))
    case .acknowledge: .acknowledgeAlarms
    case .audioPause: .audioPause
    case .reset: .clinicianReset
    case .inject: .inject(injection())
    case .clock:
      switch int(0...2) {
      case 0: .clock(.advance(Milliseconds(int(1...86_400_000))))
      case 1:
        .clock(
          .advanceWithVitals(Milliseconds(int(1...86_400_000)), vitals(atLeastOne: true)))
      default: .clock(.mode(bool() ? .real : .virtual))
      }
    }
  }

  mutating func mode() -> Mode {
    switch rng.next() % 10 {
    case 0: .selfTest
    case 1: .idle
    case 2: .programmed
    case 3: .infusing(pick([.basal, .loadingDose, .patientBolus, .clinicianBolus]))
    case 4: .paused(pick([.clinician, .alarm, .powerCycle, .interlockReset]))
    case 5: .kvo
    case 6: .complete
    case 7: .interlockStopped
    default: .fault(pick([.selfTest, .watchdog, .software, .sensor, .journal, .motor]))
    }
  }

  mutating func alarm() -> AlarmStatus {
    AlarmStatus(
      code: pick(AlarmCode.allCases),
      priority: pick([AlarmPriority.info, .low, .medium, .high]), acknowledged: bool(),
      audioPauseRemaining: Milliseconds(int(0...999_999)))
  }

  mutating func telemetry() -> Telemetry {
    Telemetry(
      mode: mode(), commandedRate: MicrolitersPerHour(int(0...9_999_999)),
      measuredRate: MicrolitersPerHour(int(0...9_999_999)),
      deliveredTotal: Micrograms(int(0...99_999_999_999)),
      delivered1h: Micrograms(int(0...999_999_999)), limit1h: Micrograms(int(0...999_999_999)),
      delivered4h: Micrograms(int(0...999_999_999)), limit4h: Micrograms(int(0...999_999_999)),
      lockoutRemaining: Milliseconds(int(0...99_999_999)), bolusDemands: int(0...999_999),
      bolusDeliveries: int(0...999_999), reservoir: Microliters(int(0...9_999_999)),
      batteryRemaining: Milliseconds(int(0...999_999_999)), onMains: bool(),
      upstreamPressure: MilliPSI(int(0...999_999)), downstreamPressure: MilliPSI(int(0...999_999)),
      vitals: vitals(atLeastOne: false), vitalsAge: opt(0...99_999_999).map { Milliseconds($0) },
      alarmCount: Int(int(0...99)), alarms: (0..<Int(int(0...3))).map { _ in alarm() })
  }

  mutating func event() -> DeviceEvent {
    switch rng.next() % 8 {
    case 0: .alarmRaised(pick(AlarmCode.allCases), pick([.info, .low, .medium, .high]))
    case 1: .alarmAcknowledged(pick(AlarmCode.allCases))
    case 2: .alarmCleared(pick(AlarmCode.allCases))
    case 3:
      .bolusGranted(
        dose: Micrograms(int(0...999_999_999)), lockoutRemaining: Milliseconds(int(0...99_999_999)))
    case 4:
      .bolusDenied(
        BolusDenial(rawValue: UInt8(int(1...9)))!,
        lockoutRemaining: Milliseconds(int(0...99_999_999)))
    case 5: .modeChanged(mode())
    case 6: .audioPauseBroken(pick(AlarmCode.allCases))
    case 7: .occlusionReleased(Microliters(int(0...9_999_999)))
    default: .interlock(stopped: bool(), vitals: UInt8(int(0...31)))
    }
  }

  mutating func info() -> DeviceInfo {
    DeviceInfo(
      deviceId: pick(["KP-0001", "a", String(repeating: "Z", count: 32)]),
      firmwareVersion: text(24),
      protocolVersion: ProtocolVersion(major: 1, minor: UInt8(int(0...255))),
      hardwareProfile: text(32), capabilities: Capabilities(rawValue: UInt16(int(0...65_535))))
  }

  mutating func reply() -> DeviceReply {
    let seq = UInt32(int(0...4_294_967_295))
    let r: DeviceReply.Result
    switch rng.next() % 10 {
    case 0:
      r = .ack(
        .done(
          pick(
            RequestKind.allCases.filter {
              ![.hello, .login, .status, .alarms, .log, .version, .counters, .audit, .patient]
                .contains($0)
            })))
    case 1: r = .ack(.hello(info()))
    case 2: r = .ack(.version(info()))
    case 3:
      r = .ack(
        .login(LoginChallenge(deviceNonce: bytes(16), sessionId: bytes(8), deviceProof: bytes(16))))
    case 4: r = .ack(.status(telemetry()))
    case 5:
      r = .ack(
        .alarms(
          AlarmPage(
            total: Int(int(0...99)), offset: Int(int(0...99)),
            alarms: (0..<Int(int(0...8))).map { _ in alarm() })))
    case 6:
      r = .ack(
        .log(LogEntry(back: Int(int(0...99_999)), available: Int(int(0...99_999)), text: text(160)))
      )
    case 7:
      r = .ack(
        .counters(LinkCounters(values: (0..<12).map { _ in UInt32(int(0...4_294_967_295)) })))
    case 8:
      let record = AuditRecord(
        time: Milliseconds(int(0...999_999_999_999)), role: pick(Role.authenticated),
        command: pick(RequestKind.allCases).rawValue, seq: bool() ? nil : UInt32(int(0...99)),
        outcome: bool() ? .accepted : .rejected, reason: text(100))
      r = .ack(
        .audit(
          AuditEntry(
            back: Int(int(0...99_999)), available: Int(int(0...99_999)), record: record)))
    case 9 where rng.next() % 2 == 0: r = .ack(.patient(patient()))
    default:
      r = .nak(
        Nak(pick(NakCode.allCases), detail: int(-999_999_999...999_999_999), reason: text(100)))
    }
    return DeviceReply(seq: seq, r)
  }

  /// A PATIENT reply with every field anywhere in its range (bounds favoured).
  mutating func patient() -> PatientReadout {
    PatientReadout(
      time: Milliseconds(int(0...999_999_999_999_999)), plasmaTenths: int(0...99_999_999),
      effectSiteTenths: int(0...99_999_999), painTenths: int(0...100),
      dissociationTenths: int(0...1000), hrTenths: int(0...9999), sbpTenths: int(0...9999),
      dbpTenths: int(0...9999), spo2Tenths: int(0...1000), rrTenths: int(0...9999),
      presses: int(0...999_999_999), profileID: text(32),
      seed: bool() ? UInt64(int(0...999)) : rng.next())
  }
}
