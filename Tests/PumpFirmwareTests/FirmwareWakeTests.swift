import KetaPumpTestSupport
import PumpCore
import PumpFirmware
import PumpProtocol
import Testing

/// `Firmware.wake(monoMillis:)` in process, on a fake monotonic clock: what the super-loop is
/// told to sleep until.
@Suite("Firmware wake rules")
struct FirmwareWakeTests {
  @Test(
    "REQ-FW-TICKLESS-05: wake rules: an idle pump without a host has nothing to wake for; an open session wakes at its heartbeat timeout; a held prescription marks alive every second; a commanded motor ticks; a virtual clock never ticks"
  )
  func wakeRules() throws {
    let s = Setup(stateDir: temporaryDirectory("wake"))
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
    let idle = fw.wake(monoMillis: 0)
    #expect(!idle.ticking)
    #expect(idle.housekeeping == nil)
    #expect(idle.earliest.map { $0 >= 60_000 } ?? true, "\(idle)")

    var ward = Ward(firmware: fw, secret: s.secret)
    #expect(ward.send(.vitals, .vitals(ward.vitals))?.isAck == true)
    // The vitals session is open: its heartbeat timeout (3 s) is the next wake.
    let open = fw.wake(monoMillis: ward.mono)
    #expect(!open.ticking)
    #expect(open.housekeeping == ward.mono + 3001, "\(open)")

    #expect(ward.send(.clinician, .program(wardRx))?.isAck == true)
    let programmed = fw.wake(monoMillis: ward.mono)
    #expect(!programmed.ticking)
    #expect(programmed.housekeeping == fw.aliveMarkMono + Firmware.idleAliveMillis)

    #expect(ward.send(.clinician, .start)?.isAck == true)
    #expect(fw.wake(monoMillis: ward.mono).ticking)
  }

  @Test("REQ-FW-TICKLESS-05: a pump on a virtual clock never ticks and has no control deadline")
  func virtualClock() throws {
    var s = Setup(stateDir: temporaryDirectory("wake-virtual"))
    s.config.clockMode = .virtual
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
    var ward = Ward(firmware: fw, secret: s.secret)
    #expect(ward.send(.vitals, .vitals(ward.vitals))?.isAck == true)
    #expect(ward.send(.clinician, .program(wardRx))?.isAck == true)
    #expect(ward.send(.clinician, .start)?.isAck == true)
    let w = fw.wake(monoMillis: ward.mono)
    #expect(!w.ticking)
    #expect(w.controlDue == nil)
  }
}
