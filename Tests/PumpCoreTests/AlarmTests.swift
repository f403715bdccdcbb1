import Foundation
import PumpCore
import Testing

@Suite("Alarm system")
struct AlarmTests {
  @Test("REQ-ALARM-TABLE-01: one table maps every alarm to priority, action, latching, silencing")
  func table() {
    for c in AlarmCode.allCases {
      let p = c.properties
      if p.action == .fault { #expect(p.priority == .high && !p.silenceable && p.latching) }
      if p.action == .stop { #expect(p.priority == .high && p.latching) }
    }
    #expect(AlarmCode.overInfusion.properties.silenceable == false)
    #expect(AlarmCode.doseLimit.action == .kvo)
    #expect(AlarmCode.reservoirLow.priority == .medium)
    #expect(AlarmCode.hostLinkLost.priority == .low && AlarmCode.hostLinkLost.action == .warn)
  }

  @Test("REQ-ALARM-TABLE-01: docs/alarms.md shows exactly the table in the code")
  func documentedTable() throws {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    let path = parts.joined(separator: "/") + "/docs/alarms.md"
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var rows: [UInt8: [String]] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("| ") {
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      if let code = UInt8(cells[0]) {
        rows[code] = cells.map { $0.replacingOccurrences(of: "*", with: "") }
      }
    }
    #expect(rows.count == AlarmCode.allCases.count)
    for c in AlarmCode.allCases {
      let p = c.properties
      let expected = [
        "\(c.rawValue)", "\(c)", "\(p.priority)", "\(p.action)", p.latching ? "yes" : "no",
        p.silenceable ? "yes" : "no",
      ]
      #expect(Array(rows[c.rawValue]?.prefix(6) ?? []) == expected, "docs/alarms.md row \(c)")
    }
  }

  @Test(
    "REQ-ALARM-LATCH-01: a latched alarm clears only when acknowledged AND its condition is gone")
  func latching() {
    var b = Bench.infusing()
    b.rig.hardware.setDownstreamPressure(.psi(12))
    b.run(.milliseconds(10))
    #expect(b.active(.occlusionDownstream))
    #expect(b.send(.acknowledgeAlarms) == nil)
    #expect(b.active(.occlusionDownstream))  // condition still there
    b.rig.hardware.setDownstreamPressure(.psi(1))
    b.run(.milliseconds(10))
    #expect(!b.active(.occlusionDownstream))  // acknowledged earlier, now gone
    b.rig.hardware.setDownstreamPressure(.psi(12))
    b.run(.milliseconds(10))
    b.rig.hardware.setDownstreamPressure(.psi(1))
    b.run(.milliseconds(10))
    #expect(b.active(.occlusionDownstream))  // gone but not acknowledged
    b.send(.acknowledgeAlarms)
    #expect(!b.active(.occlusionDownstream))
  }

  @Test("REQ-ALARM-AUDIOPAUSE-01: audio pause lasts at most 120 s")
  func audioPause() {
    var b = Bench.infusing()
    var s = calmVitals
    s.sbp = 165
    b.run(.seconds(2), vitals: s)
    #expect(b.pump.alarms.audible(now: b.now))
    #expect(b.send(.audioPause) == nil)
    #expect(!b.pump.status.audible)
    #expect(b.pump.status.audioPauseRemaining == .seconds(120))
    b.run(.seconds(119), vitals: s)
    #expect(!b.pump.status.audible)
    b.run(.seconds(2), vitals: s)
    #expect(b.pump.status.audible)
  }

  @Test("REQ-ALARM-BREAKTHROUGH-01: a new higher-priority alarm breaks through the audio pause")
  func breakThrough() {
    var b = Bench.infusing()
    var s = calmVitals
    s.sbp = 165
    b.run(.seconds(2), vitals: s)
    b.send(.audioPause)
    b.rig.hardware.doorOpen = true
    b.run(.milliseconds(10), vitals: s)
    #expect(b.effects.contains(.audioPauseBroken(by: .doorOpen)))
    #expect(b.pump.status.audible)
  }

  @Test("REQ-ALARM-NOSILENCE-01: over-infusion and software faults cannot be silenced")
  func notSilenceable() {
    var b = Bench.infusing()
    b.rig.hardware.motorRunaway = true
    b.run(.seconds(1))
    #expect(b.active(.overInfusion))
    #expect(b.send(.audioPause) == .notSilenceable)
    var f = Bench.infusing()
    f.send(.fault(.software))
    #expect(f.send(.audioPause) == .notSilenceable)
    #expect(f.pump.status.audible)
  }

  @Test("REQ-ALARM-HIGHEST-01: the highest-priority active alarm is the one annunciated")
  func highest() {
    var b = Bench.infusing()
    b.send(.hostLink(connected: false))
    #expect(b.pump.status.annunciated == .hostLinkLost)
    var s = calmVitals
    s.sbp = 165
    b.run(.seconds(2), vitals: s)
    #expect(b.pump.status.annunciated == .vitalsWarning)
    b.rig.hardware.doorOpen = true
    b.run(.milliseconds(10), vitals: s)
    #expect(b.pump.status.annunciated == .doorOpen)
  }

  @Test("REQ-ALARM-LINK-01: losing the host link raises a low alarm; therapy continues")
  func hostLink() {
    var b = Bench.infusing()
    b.send(.hostLink(connected: false))
    #expect(b.active(.hostLinkLost))
    #expect(b.mode == .infusing(.basal))
    b.send(.hostLink(connected: true))
    #expect(!b.active(.hostLinkLost))
  }
}
