import KetaPumpTestSupport
import PumpCore
import Testing

@testable import PumpReplay
@testable import PumpTrace

/// Issue 12 §2 (c): offline replay checks the safety invariants at every controller call; a
/// replay that breaks one fails, whatever its expectations say.
@Suite struct ReplayInvariantTests {
  static let trace = """
    description: interlock, then acknowledge, stop, program, start without a reset
    profile: syringe-pca-60ml
    drug-entry: 1
    weight: 70 kg
    concentration: 5 mg/mL
    basal: 5 mg/h
    bolus: 2 mg
    bolus-rate: 60 mL/h
    lockout: 10 min
    max-boluses-per-hour: 4
    limit-1h: 15 mg
    limit-4h: 40 mg
    kvo: 0.1 mL/h
    requirements: REQ-INV-REPLAY-01

    0s vitals every 1s until 1h SBP=125 DBP=75 HR=80 SpO2=97 RR=14
    5min vitals every 1s until 8min SpO2=85
    9min ack
    9min stop
    9min program
    9min start
    9min expect rejected(interlock-condition-present)
    20min expect motor stopped

    """

  @Test(
    "REQ-INV-REPLAY-01: offline replay checks the safety invariants; with the latch rule broken (debug switch) the same trace fails on the invariant, although its own expectations are not what fails"
  )
  func brokenRuleFailsReplay() throws {
    let t = try TraceParser.parse(Self.trace, file: "latch-bypass.trace")
    let setup = try TraceSetup.bind(t, to: shippedConfiguration)
    let healthy = OfflineReplay.run(t, setup: setup)
    #expect(healthy.invariantViolation == nil)
    #expect(healthy.asExpected, "\(SummaryReport.details(healthy))")

    var broken = OfflineDriver(setup: setup)
    broken.breakRule(.stopReleasesLatch)
    _ = try TraceRunner.run(t, setup: setup, driver: &broken, capturesVitals: false)
    let v = try #require(broken.violation, "the explorers' invariant must catch the bypass")
    #expect("\(v)".lowercased().contains("reset") || "\(v)".lowercased().contains("interlock"))
  }
}
