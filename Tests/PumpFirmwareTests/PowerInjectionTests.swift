import KetaPumpTestSupport
import PumpCore
import PumpFirmware
import PumpProtocol
import Testing

/// `INJECT POWER/LINK/FAULT/UPOCCL/DOWNOCCL` (docs/PROTOCOL.md §4.3): simulated power, host link,
/// shell faults and occlusion flags, journaled like every input so a restart rebuilds them.
@Suite("Firmware power, link and fault injection")
struct PowerInjectionTests {
  /// A ward pump programmed and infusing for a minute.
  static func infusing(_ tag: String) throws -> (Setup, Firmware, Ward) {
    let s = Setup(stateDir: temporaryDirectory(tag))
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
    var ward = Ward(firmware: fw, secret: s.secret)
    #expect(ward.send(.vitals, .vitals(ward.vitals))?.isAck == true)
    #expect(ward.send(.clinician, .program(wardRx))?.isAck == true)
    #expect(ward.send(.clinician, .start)?.isAck == true)
    ward.wait(60_000)
    return (s, fw, ward)
  }

  static func rejection(_ r: DeviceReply?) -> Int64? {
    if case .nak(let n) = r?.result, n.code == .rejected { return n.detail }
    return nil
  }

  @Test(
    "REQ-FW-POWER-01: POWER,0 stops the pump: nothing is delivered and every input but power-on and hardware changes is refused while off; POWER,1 restarts it paused"
  )
  func offAndOn() throws {
    var (_, fw, ward) = try Self.infusing("power-off")
    let at = fw.now(mono: ward.mono)
    #expect(ward.send(.service, .inject(.power(.lost)))?.isAck == true)
    #expect(fw.machine.off)
    let before = fw.machine.snapshot(at: at).ledger.totalPicograms
    ward.wait(30_000)  // Vitals are refused meanwhile.
    let off = Int64(Rejection.notAllowedInMode.rawValue)
    #expect(Self.rejection(ward.send(.clinician, .resume)) == off)
    #expect(Self.rejection(ward.send(.service, .inject(.fault(.software)))) == off)
    #expect(Self.rejection(ward.send(.service, .inject(.power(.lost)))) == off)
    #expect(ward.send(.service, .inject(.door(open: false)))?.isAck == true)
    let now = fw.now(mono: ward.mono)
    #expect(fw.machine.snapshot(at: now).ledger.totalPicograms == before)
    #expect(ward.send(.service, .inject(.power(.restored)))?.isAck == true)
    #expect(!fw.machine.off)
    #expect(fw.machine.controller.mode == .paused(.powerCycle))
    #expect(fw.machine.controller.ledger.totalPicograms == before)
    #expect(Self.rejection(ward.send(.service, .inject(.power(.restored)))) == off)
  }

  @Test("REQ-FW-POWER-02: POWER,2 restores power with a failing self-test: fault(self-test)")
  func selfTestFailing() throws {
    var (_, fw, ward) = try Self.infusing("power-selftest")
    #expect(ward.send(.service, .inject(.power(.lost)))?.isAck == true)
    ward.wait(2_000)
    #expect(ward.send(.service, .inject(.power(.restoredSelfTestFailing)))?.isAck == true)
    #expect(fw.machine.controller.mode == .fault(.selfTest))
  }

  @Test(
    "REQ-FW-POWER-03: a restart in the middle of an off period delivers nothing for the off time and rebuilds the state"
  )
  func restartWhileOff() throws {
    var (s, fw, ward) = try Self.infusing("power-restart")
    #expect(ward.send(.patient, .patientBolus)?.isAck == true)
    ward.wait(5_000)
    let lostAt = fw.now(mono: ward.mono)
    #expect(ward.send(.service, .inject(.power(.lost)))?.isAck == true)
    let before = fw.machine.controller
    ward.wait(20_000)
    // The process dies while the pump is off and starts 10 s later.
    let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: ward.wall + 10_000)
    let after = again.machine.controller
    #expect(!again.machine.off)
    #expect(after.mode == .paused(.powerCycle))
    #expect(after.ledger.totalPicograms == before.ledger.totalPicograms)
    #expect(after.bolusGrants == 1)
    #expect(after.now == lostAt + .seconds(30))
    // A second restart from the same journal rebuilds the same state.
    let third = try Firmware(config: s.config, monoMillis: 0, wallMillis: ward.wall + 10_000)
    #expect(third.machine.controller.ledger.totalPicograms == after.ledger.totalPicograms)
    #expect(third.machine.controller.mode == after.mode)
  }

  @Test(
    "REQ-FW-POWER-04: power, link, fault and occlusion injections are journaled: a restart rebuilds the state they made"
  )
  func restartReproduces() throws {
    var (s, fw, ward) = try Self.infusing("power-journal")
    #expect(ward.send(.service, .inject(.power(.lost)))?.isAck == true)
    ward.wait(3_000)
    #expect(ward.send(.service, .inject(.power(.restored)))?.isAck == true)
    #expect(ward.send(.clinician, .resume)?.isAck == true)
    ward.wait(10_000)
    #expect(ward.send(.service, .inject(.hostLink(connected: false)))?.isAck == true)
    #expect(fw.machine.controller.alarms.isActive(.hostLinkLost))
    ward.wait(5_000)
    #expect(ward.send(.service, .inject(.downstreamOcclusion(true)))?.isAck == true)
    ward.wait(60_000)
    #expect(fw.machine.controller.alarms.isActive(.occlusionDownstream))
    #expect(ward.send(.service, .inject(.fault(.watchdog)))?.isAck == true)
    #expect(fw.machine.controller.mode == .fault(.watchdog))
    // The live machine, power-cycled where the restart will do it, is what the journal rebuilds.
    let alive = fw.now(mono: ward.mono)
    var reference = fw.machine
    reference.catchUp(to: alive)
    reference.powerCycle(lostAt: alive, restoredAt: alive)
    let again = try Firmware(config: s.config, monoMillis: 0, wallMillis: ward.wall)
    let after = again.machine.controller
    #expect(after.now == reference.controller.now)
    #expect(after.mode == reference.controller.mode)
    #expect(after.alarms.activeCodes == reference.controller.alarms.activeCodes)
    #expect(after.ledger.totalPicograms == reference.controller.ledger.totalPicograms)
    #expect(after.ledger.totalPicograms > 0)
  }

  @Test("REQ-FW-POWER-05: LINK,0 holds the controller's link down through logins until LINK,1")
  func linkHeldDown() throws {
    var (_, fw, ward) = try Self.infusing("link-held")
    #expect(ward.send(.service, .inject(.hostLink(connected: false)))?.isAck == true)
    ward.wait(3_000)  // A vitals login every second.
    #expect(fw.machine.controller.alarms.isActive(.hostLinkLost))
    #expect(fw.machine.controller.mode == .infusing(.basal))
    #expect(ward.send(.service, .inject(.hostLink(connected: true)))?.isAck == true)
    #expect(!fw.machine.controller.alarms.isActive(.hostLinkLost))
  }
}
