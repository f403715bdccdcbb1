import PumpCore
import Testing

@testable import PumpProtocol

/// The INJECT targets and the event added in protocol 1.0 for online trace replay
/// (docs/PROTOCOL.md §4.3, §4.6, §8).
@Suite struct InjectionTests {
  static func parse(_ text: String) throws(ProtocolError) -> HostRequest {
    try HostRequest(parsing: try ParsedFrame(FrameBody(bytes: Array(text.utf8))))
  }

  @Test(
    "REQ-PROTO-INJECT-01: POWER, LINK, FAULT, UPOCCL and DOWNOCCL encode as documented and decode back"
  )
  func wireForms() throws {
    let cases: [(Injection, String)] = [
      (.power(.lost), "INJECT,7,POWER,0"),
      (.power(.restored), "INJECT,7,POWER,1"),
      (.power(.restoredSelfTestFailing), "INJECT,7,POWER,2"),
      (.hostLink(connected: false), "INJECT,7,LINK,0"),
      (.hostLink(connected: true), "INJECT,7,LINK,1"),
      (.fault(.watchdog), "INJECT,7,FAULT,2"),
      (.fault(.motor), "INJECT,7,FAULT,6"),
      (.upstreamOcclusion(true), "INJECT,7,UPOCCL,1"),
      (.downstreamOcclusion(false), "INJECT,7,DOWNOCCL,0"),
    ]
    for (injection, text) in cases {
      let body = HostRequest.inject(injection).body(seq: 7)
      #expect(String(decoding: body.bytes, as: UTF8.self) == text)
      #expect(try Self.parse(text) == .inject(injection))
    }
  }

  @Test("REQ-PROTO-INJECT-02: values outside the new targets' ranges are out of range (NAK 03)")
  func ranges() {
    for text in [
      "INJECT,7,POWER,3", "INJECT,7,LINK,2", "INJECT,7,FAULT,0", "INJECT,7,FAULT,7",
      "INJECT,7,UPOCCL,2", "INJECT,7,DOWNOCCL,-1", "INJECT,7,SHUTDOWN,1",
    ] {
      #expect(throws: ProtocolError.self, "\(text)") { try Self.parse(text) }
    }
  }

  @Test("REQ-PROTO-INJECT-03: an alarm breaking an audio pause is event AUDIOBRK,<alarm code>")
  func audioBreak() throws {
    var w = FieldWriter(kind: "EVT", seq: 3)
    DeviceEvent.audioPauseBroken(.occlusionDownstream).encodeFields(into: &w)
    let text = String(decoding: w.bytes, as: UTF8.self)
    #expect(text == "EVT,3,AUDIOBRK,\(AlarmCode.occlusionDownstream.rawValue)")
    let f = try ParsedFrame(FrameBody(bytes: w.bytes))
    var r = FieldReader(f.fields)
    #expect(try DeviceEvent(reading: &r) == .audioPauseBroken(.occlusionDownstream))
  }
}
