import PumpCore

/// The outcome of replaying one trace.
public struct TraceResult: Sendable {
  public var file: String
  public var name: String
  public var requirements: [String]
  public var expectedVerdict: Verdict
  /// Pass when every expectation held and the run had no error.
  public var verdict: Verdict
  /// A problem that stopped the run (the pump refused the header's prescription…).
  public var error: String?
  public var expectations: [ExpectationResult]
  /// Simulated duration.
  public var simulated: Milliseconds
  /// Actions applied (vitals samples included).
  public var events: Int
  /// Driver work (offline: control steps).
  public var work: Int64
  /// Wall time of the run (parse excluded), ns.
  public var wallNanoseconds: Int64
  /// The observations, kept for reports.
  public var log: ObservationLog?
  /// The prescription and vitals policy in force (for report plots).
  public var prescription: Prescription?
  public var policy: VitalsPolicy?
  /// Why the trace was not run (online: too long for the wire), or nil when it ran.
  public var skipped: String? = nil
  /// A safety invariant the replay broke (docs/hazards.md): the trace fails whatever it
  /// expected (issue 12 §2 c).
  public var invariantViolation: String? = nil
  /// Lines the driver skipped, each with the reason (offline: `raw` and `disconnect` lines,
  /// which exist only on a serial line). Reported, never silent, never a failure.
  public var notes: [String] = []

  public init(
    file: String, name: String, requirements: [String], expectedVerdict: Verdict,
    verdict: Verdict, error: String? = nil, expectations: [ExpectationResult],
    simulated: Milliseconds, events: Int, work: Int64, wallNanoseconds: Int64,
    log: ObservationLog? = nil, prescription: Prescription? = nil, policy: VitalsPolicy? = nil,
    skipped: String? = nil, invariantViolation: String? = nil
  ) {
    self.file = file
    self.name = name
    self.requirements = requirements
    self.expectedVerdict = expectedVerdict
    self.verdict = verdict
    self.error = error
    self.expectations = expectations
    self.simulated = simulated
    self.events = events
    self.work = work
    self.wallNanoseconds = wallNanoseconds
    self.log = log
    self.prescription = prescription
    self.policy = policy
    self.skipped = skipped
    self.invariantViolation = invariantViolation
  }

  /// True when the verdict is the one the trace expects of itself (or the trace was skipped:
  /// a skip is reported, never counted as a failure).
  public var asExpected: Bool {
    skipped != nil || (invariantViolation == nil && verdict == expectedVerdict)
  }

  /// Expectations that failed.
  public var failures: [ExpectationResult] { expectations.filter { !$0.passed } }
}

/// Offline replay of one parsed trace.
public enum OfflineReplay {
  /// Replays `trace` bound to `setup` on PumpCore and simulated hardware, then checks it.
  ///
  /// - Parameter keepLog: keep the observations (and the vitals fed) for reports.
  public static func run(_ trace: Trace, setup: TraceSetup, keepLog: Bool = false) -> TraceResult {
    let clock = ContinuousClock()
    let t0 = clock.now
    var driver = OfflineDriver(setup: setup)
    driver.samplesValues = trace.samplesValues
    driver.readsLog = trace.readsLog
    var result = TraceResult(
      file: trace.file, name: trace.header.name, requirements: trace.header.requirements,
      expectedVerdict: trace.header.expectedVerdict, verdict: .fail, error: nil, expectations: [],
      simulated: .zero, events: 0, work: 0, wallNanoseconds: 0, log: nil,
      prescription: setup.prescription, policy: setup.policy)
    do {
      let run = try TraceRunner.run(trace, setup: setup, driver: &driver, capturesVitals: keepLog)
      result.expectations = TraceChecker.check(
        trace, log: run.log, controlTick: setup.profile.controlTick)
      result.simulated = run.end
      result.events = run.events
      result.work = run.work
      result.verdict = result.expectations.allSatisfy(\.passed) ? .pass : .fail
      if let v = driver.violation {
        result.invariantViolation = v.description
        result.verdict = .fail
      }
      if let f = driver.restoreFailure {
        result.error = f
        result.verdict = .fail
      }
      if keepLog { result.log = run.log }
      result.notes = driver.skippedLines.map { "\(trace.file): \($0)" }
    } catch {
      result.error = error.message
    }
    let d = clock.now - t0
    result.wallNanoseconds =
      d.components.seconds * 1_000_000_000
      + d.components.attoseconds / 1_000_000_000
    return result
  }
}
