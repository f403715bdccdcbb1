import KetaPumpTestSupport
import PumpCore
import Testing

@testable import PumpReplay
@testable import PumpTrace

/// Issue 12 §2 (c): offline replay checks the safety invariants at every controller call; a
/// replay that breaks one fails, whatever its expectations say.
@Suite struct ReplayInvariantTests {
  /// The ward prescription both traces run.
  static let header = """
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
    """

  static let trace = """
    description: interlock, then acknowledge, stop, program, start without a reset
    \(header)

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

  static let staleTrace = """
    description: critical SBP stops the pump, then the SBP lead drops out and a reset is tried
    \(header)

    0s vitals every 1s until 5min SBP=125 DBP=75 HR=80 SpO2=97 RR=14
    5min vitals every 1s until 5min30s SBP=190 DBP=75 HR=80 SpO2=97 RR=14
    5min30s vitals every 1s until 20min DBP=75 HR=80 SpO2=97 RR=14
    8min reset

    """

  @Test(
    "REQ-INV-REPLAY-01, REQ-VITALS-STALE-02: the after-event checks reach the replay's verdict: with stale masking critical (debug switch), a reset over a stale critical vital fails the replay on the invariant"
  )
  func brokenStaleFailsReplay() throws {
    let t = try TraceParser.parse(Self.staleTrace, file: "stale-reset.trace")
    let setup = try TraceSetup.bind(t, to: shippedConfiguration)
    var healthy = OfflineDriver(setup: setup)
    _ = try TraceRunner.run(t, setup: setup, driver: &healthy, capturesVitals: false)
    #expect(healthy.violation == nil)

    // The critical run is tracked from the vitals events by the after-event check
    // (`SafetyInvariants.afterEvent`): the replay sees it only if that check's state is the one
    // the replay keeps.
    var broken = OfflineDriver(setup: setup)
    broken.breakRule(.staleMasksCritical)
    _ = try TraceRunner.run(t, setup: setup, driver: &broken, capturesVitals: false)
    let found = broken.violation
    let v = try #require(found, "a reset over a stale critical vital must fail")
    #expect(v.rule == .staleCountsCritical)
  }
}
