import Foundation
import KetaPumpTestSupport
import PumpHost
import Testing

@Suite("TrafficLog")
struct TrafficLogTests {
  @Test(
    "REQ-MON-LOG-01: the traffic log writes RX/TX, relative times, escaped bytes and the decoded frame; MACs and proofs never appear"
  )
  func format() throws {
    let path = temporaryDirectory("log") + "/t.log"
    let log = try TrafficLog(path: path, header: "test")
    log.record(sent: true, bytes: Array("$HELLO,1,1.0*D992\r\n".utf8))
    log.record(
      sent: false,
      bytes: Array(
        "$ACK,2,LOGIN,101112131415161718191A1B1C1D1E1F,2021222324252627,155F34928FB8".utf8))
    log.record(sent: false, bytes: Array("43C29CD0FCBFA006C74B*4F06\r\n".utf8))
    log.record(sent: true, bytes: Array("$AUTH,3,A979EE0D7AB1B1F4C247E40A9A9E9DAF*1845\r\n".utf8))
    log.record(sent: true, bytes: Array("$START,4#F06F25B3746013D4*C63B\r\n".utf8))
    log.record(
      sent: false, bytes: Array("$EVT,2,BOLUSNO,2,420000#A625130DF3DD321A*EEA1\r\n\u{07}".utf8))
    log.note("link lost")
    log.close()
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(
      lines.contains {
        $0.hasPrefix("+0.0") && $0.contains(" TX $HELLO,1,1.0*D992\\r\\n  | HELLO #1 1.0")
      })
    #expect(lines.contains { $0.contains(" RX $ACK,2,LOGIN,") && $0.contains("<proof>") })
    #expect(lines.contains { $0.contains(" TX $AUTH,3,<proof>*1845") })
    #expect(lines.contains { $0.contains(" TX $START,4#<mac>*C63B\\r\\n  | START #4 [MAC]") })
    #expect(lines.contains { $0.contains("BOLUS denied (lockout), lockout 420s") })
    #expect(lines.contains { $0.contains(" RX \\x07") })
    #expect(lines.contains { $0.hasPrefix("# +") && $0.hasSuffix("link lost") })
    for secret in [
      "F06F25B3746013D4", "A979EE0D7AB1B1F4C247E40A9A9E9DAF", "155F34928FB843C2",
      "A625130DF3DD321A",
    ] {
      #expect(!text.contains(secret))
    }
  }
}
