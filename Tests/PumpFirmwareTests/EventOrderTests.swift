import KetaPumpTestSupport
import PumpCore
import PumpFirmware
import PumpProtocol
import Testing

@Suite("Events before the reply")
struct EventOrderTests {
  /// What one firmware pass's bytes gave a host session, in arrival order.
  enum Arrival: Equatable {
    case event(DeviceEvent)
    case reply(RequestKind)
  }

  static func arrivals(_ link: inout Link, _ bytes: [UInt8]) -> [Arrival] {
    let out = link.firmware.service(received: bytes, monoMillis: link.mono, wallMillis: link.wall)
    var seen: [Arrival] = []
    for a in link.host.receive(bytes: out, now: Milliseconds(link.mono)) {
      switch a {
      case .event(let e, _): seen.append(.event(e))
      case .reply(let r, _): seen.append(.reply(r.kind))
      default: break
      }
    }
    return seen
  }

  @Test(
    "REQ-PROTO-EVT-ORDER-01: the events a request causes reach the host before its reply; a quiet request has no event before its reply"
  )
  func eventsPrecedeReply() throws {
    let s = Setup(stateDir: temporaryDirectory("evt-order"))
    let fw = try Firmware(config: s.config, monoMillis: 0, wallMillis: 1_000_000)
    var ward = Ward(firmware: fw, secret: s.secret)
    #expect(ward.send(.vitals, .vitals(ward.vitals))?.isAck == true)
    #expect(ward.send(.clinician, .program(wardRx))?.isAck == true)
    #expect(ward.send(.clinician, .start)?.isAck == true)
    ward.on(.clinician) { link in
      let bytes = try! link.host.send(.pause, now: Milliseconds(link.mono)).bytes
      let seen = Self.arrivals(&link, bytes)
      let reply = seen.firstIndex(of: .reply(.pause))
      let mode = seen.firstIndex {
        if case .event(.modeChanged(.paused)) = $0 { true } else { false }
      }
      #expect(reply != nil && mode != nil, "\(seen)")
      if let reply, let mode { #expect(mode < reply, "\(seen)") }
      // STATUS changes nothing: nothing comes before its reply.
      let quiet = Self.arrivals(
        &link, try! link.host.send(.status, now: Milliseconds(link.mono)).bytes)
      #expect(quiet == [.reply(.status)])
    }
  }
}
