import PumpCore
import PumpFirmware
import PumpTrace
import Testing

@testable import PumpReplay

/// Online exact times pair each device event with its entry in the pump's LOG. The pairing reads
/// the firmware's own `LogText` through the one names table, so it must name the same effect,
/// not only the same kind (two alarms raised between two samples keep their own times).
@Suite struct LogMatchTests {
  @Test(
    "REQ-TRACE-ONLINE-03: a LOG entry pairs with the observation of the same effect only: same kind and the same alarm, mode, reason or dose"
  )
  func pairsTheSameEffect() {
    let pairs: [(Effect, ObservedEventCase)] = [
      (
        .alarmRaised(.doorOpen),
        .init(.alarmRaised(.doorOpen, .high), .alarmRaised(.airInLine, .high))
      ),
      (
        .alarmAcknowledged(.vitalsWarning),
        .init(.alarmAcknowledged(.vitalsWarning), .alarmAcknowledged(.vitalsStale))
      ),
      (
        .alarmCleared(.occlusionDownstream),
        .init(.alarmCleared(.occlusionDownstream), .alarmCleared(.occlusionUpstream))
      ),
      (
        .audioPauseBroken(by: .vitalsInterlock),
        .init(.audioPauseBroken(by: .vitalsInterlock), .audioPauseBroken(by: .doorOpen))
      ),
      (
        .bolusGranted(Micrograms(2000), lockout: Milliseconds(600_000)),
        .init(.bolusGranted(Micrograms(2000)), .bolusGranted(Micrograms(200)))
      ),
      (
        .bolusDenied(.lockout, lockoutRemaining: Milliseconds(5000)),
        .init(.bolusDenied(.lockout), .bolusDenied(.limit1h))
      ),
      (
        .modeChanged(from: .infusing(.basal), to: .paused(.alarm), reason: .alarm),
        .init(.mode(.paused(.alarm), .command), .mode(.paused(.clinician), .command))
      ),
    ]
    for (effect, c) in pairs {
      let text = LogText.text(effect)
      #expect(OnlineDriver.logEntry(text, matches: c.same), "\(text)")
      #expect(!OnlineDriver.logEntry(text, matches: c.other), "\(text)")
    }
  }
}

/// An observation and another of the same kind naming something else.
struct ObservedEventCase {
  var same: ObservedEvent
  var other: ObservedEvent
  init(_ same: ObservedEvent, _ other: ObservedEvent) {
    self.same = same
    self.other = other
  }
}
