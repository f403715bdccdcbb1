import KetaPumpTestSupport
import PumpCore
import PumpFirmware
import PumpProtocol
import Testing

/// `CLOCK VITALS` (docs/PROTOCOL.md §4.3.2): a test harness's monitor feed on a virtual clock.
@Suite("CLOCK VITALS")
struct ClockVitalsTests {
  static func infusing(_ name: String) throws -> (Ward, Setup) {
    let s = Setup(stateDir: temporaryDirectory(name))
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
    var ward = Ward(firmware: fw, secret: s.secret)
    #expect(ward.send(.vitals, .vitals(ward.vitals))?.isAck == true)
    #expect(ward.send(.clinician, .program(wardRx))?.isAck == true)
    #expect(ward.send(.clinician, .start)?.isAck == true)
    return (ward, s)
  }

  static func status(_ ward: inout Ward) -> Telemetry? {
    guard case .ack(.status(let t))? = ward.send(.service, .status)?.result else { return nil }
    return t
  }

  @Test(
    "REQ-PROTO-CLOCK-VITALS-01: CLOCK VITALS advances a virtual clock, takes the sample at the new time and answers with the status after it; on a real clock it is refused (NAK 14) and changes nothing; every role but service gets NAK 08"
  )
  func advancesThenSamples() throws {
    var (ward, _) = try Self.infusing("clock-vitals")
    let warning = VitalsSample(sbp: 164, dbp: 103, hr: 96)
    // Real clock: refused, the pump untouched.
    let before = Self.status(&ward)
    let refused = ward.send(.service, .clock(.advanceWithVitals(Milliseconds(1000), warning)))
    guard case .nak(let n)? = refused?.result else {
      Issue.record("expected a NAK, got \(String(describing: refused))")
      return
    }
    #expect(n.code == .rejected && n.detail == Int64(Rejection.notAllowedInMode.rawValue))
    let after = Self.status(&ward)
    #expect(after?.mode == before?.mode && after?.alarmCount == before?.alarmCount)
    // Every role but service: NAK 08, whatever the clock.
    for role in [Role.patient, .vitals, .clinician] {
      let r = ward.send(role, .clock(.advanceWithVitals(Milliseconds(1000), warning)))
      guard case .nak(let x)? = r?.result else {
        Issue.record("\(role): \(String(describing: r))")
        continue
      }
      #expect(x.code == .roleForbidden, "\(role)")
    }
    // Virtual clock: ACK with STATUS; the samples raise the vitals alarms as VITALS would.
    #expect(ward.send(.service, .clock(.mode(.virtual)))?.isAck == true)
    var last: Telemetry? = nil
    ward.on(.service) { link in
      link.events.removeAll()
      for _ in 0..<3 {
        let r = link.send(.clock(.advanceWithVitals(Milliseconds(1000), warning)))
        if case .ack(.status(let t))? = r?.result { last = t }
      }
    }
    let events = ward.links[.service]?.events ?? []
    #expect(
      events.contains { if case .alarmRaised(.vitalsWarning, _) = $0 { true } else { false } },
      "\(events)")
    let now = Self.status(&ward)
    #expect(last != nil && last == now)
    #expect(now?.mode != .infusing(.basal), "the interlock stops the pump")
  }

  @Test(
    "REQ-PROTO-CLOCK-VITALS-01: CLOCK VITALS never raises a dose: over random samples and steps, the pump fed them delivers no more and runs no faster than its twin fed calm vitals at the same instants (the prescription unhindered)"
  )
  func neverRaisesDose() throws {
    var rng = SplitMix64(seed: 14)
    for round in 0..<6 {
      var (fed, _) = try Self.infusing("clock-vitals-fed-\(round)")
      var twin = try Self.infusing("clock-vitals-twin-\(round)").0
      #expect(fed.send(.service, .clock(.mode(.virtual)))?.isAck == true)
      #expect(twin.send(.service, .clock(.mode(.virtual)))?.isAck == true)
      for _ in 0..<40 {
        let step = Milliseconds(Int64(rng.next() % 5000) + 1)
        func v(_ r: ClosedRange<UInt64>) -> Int32? {
          rng.next() % 4 == 0
            ? nil : Int32(r.lowerBound + rng.next() % (r.upperBound - r.lowerBound + 1))
        }
        var s = VitalsSample(sbp: v(60...220), dbp: v(30...130), hr: v(30...200))
        s.spo2 = v(70...100)
        s.rr = v(4...40)
        if s.sbp == nil && s.dbp == nil && s.hr == nil && s.spo2 == nil && s.rr == nil { s.hr = 80 }
        let a = fed.send(.service, .clock(.advanceWithVitals(step, s)))
        let calm = twin.send(.service, .clock(.advanceWithVitals(step, twin.vitals)))
        guard case .ack(.status(let t))? = a?.result, case .ack(.status(let u))? = calm?.result
        else {
          Issue.record("round \(round): \(String(describing: a))")
          return
        }
        #expect(t.commandedRate <= u.commandedRate, "round \(round): \(s)")
        #expect(t.deliveredTotal <= u.deliveredTotal, "round \(round): \(s)")
      }
    }
  }
}
