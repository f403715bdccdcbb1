import Foundation
import PumpCore
import PumpFirmware
import PumpProtocol
import Testing

/// The one table of names (`WireNames`): every value of every named enum has exactly one name,
/// names are unique after folding case, `-` and `_`, and everything printed for hosts — the
/// event log's text included — uses them.
@Suite struct NamesTests {
  /// Every value of a UInt8-backed enum, found by trying every raw value.
  static func all<T: RawRepresentable>(_: T.Type) -> [T] where T.RawValue == UInt8 {
    (0...255).compactMap { T(rawValue: UInt8($0)) }
  }

  static func check<T: Equatable>(_ table: [(String, T)], covers values: [T]) {
    for v in values {
      #expect(table.filter { $0.1 == v }.count == 1, "\(v) must have exactly one name")
      #expect(WireNames.lookup(WireNames.name(v, in: table), in: table) == v)
    }
    let folded = table.map { WireNames.fold($0.0) }
    #expect(Set(folded).count == folded.count, "names must be unique: \(folded)")
    for (name, _) in table {
      #expect(!name.contains(" ") && !name.contains("."), "'\(name)' is not one word")
    }
  }

  @Test(
    "REQ-TRACE-NAMES-01: one table names every mode part, alarm, priority, reason, care area, vital and event kind, uniquely and reversibly"
  )
  func everyValueOneName() {
    Self.check(WireNames.alarms, covers: Self.all(AlarmCode.self))
    Self.check(WireNames.priorities, covers: Self.all(AlarmPriority.self))
    Self.check(WireNames.denials, covers: Self.all(BolusDenial.self))
    Self.check(WireNames.rejections, covers: Self.all(Rejection.self))
    Self.check(WireNames.phases, covers: Self.all(InfusionPhase.self))
    Self.check(WireNames.pauseReasons, covers: Self.all(PauseReason.self))
    Self.check(WireNames.allFaults, covers: Self.all(FaultCode.self))
    Self.check(WireNames.careAreas, covers: Self.all(CareArea.self))
    Self.check(WireNames.vitals, covers: Self.all(Vital.self))
    Self.check(WireNames.modeReasons, covers: Self.all(ModeReason.self))
    Self.check(WireNames.eventKinds, covers: Self.all(EventKind.self))
  }

  @Test(
    "REQ-TRACE-NAMES-01: the event log, the console and mode names print table names, never Swift case names"
  )
  func printedTextUsesTheTable() {
    let effects: [Effect] = [
      .modeChanged(from: .interlockStopped, to: .paused(.powerCycle), reason: .interlockReset),
      .alarmRaised(.doorOpen), .alarmAcknowledged(.vitalsWarning), .alarmCleared(.airInLine),
      .audioPauseBroken(by: .occlusionDownstream),
      .bolusDenied(.maxPerHour, lockoutRemaining: Milliseconds(1000)),
      .bolusStarted(.patientBolus, Micrograms(2000)), .bolusCompleted(.clinicianBolus),
      .bolusAborted(.loadingDose, remaining: Micrograms(5)), .vitalsArtifact(.spo2, 12),
      .rejected(.patientBolusRequest, .notAllowedInMode),
    ]
    let texts = effects.map(LogText.text)
    #expect(texts[0] == "mode interlock-stopped -> paused(power-cycle) (interlock-reset)")
    #expect(texts[1] == "alarm raised door-open (high)")
    #expect(texts[9] == "vitals artifact SpO2=12 ignored")
    #expect(texts[10] == "rejected press: not-allowed-in-mode")
    for full in texts {
      // A Swift case name would show as camelCase (`powerCycle`, `doorOpen`); SpO2 is a name.
      let text = full.replacingOccurrences(of: "SpO2", with: "spo2")
      let camel = zip(text, text.dropFirst()).contains { $0.isLowercase && $1.isUppercase }
      #expect(!camel, "'\(text)' prints a Swift case name")
    }
    #expect(Mode.fault(.journalVersion).consoleName == "fault(journal-version)")
    #expect(WireNames.vitalsMask(0b10101) == "SBP,HR,RR")
    #expect(WireNames.vitalsMask(0) == "-")
  }
}
