import PumpConfig
import PumpCore
import PumpPatient
import PumpPatientLoop
import Testing

@Suite struct CohortTests {
  /// Member `i`'s course: its own individual and seed from (seed, i), a noisy monitor with
  /// dropouts (so some courses stop through the interlock and cost less than others).
  static func course(_ i: Int, hours: Int64) -> CourseOutcome? {
    guard let config = ClosedLoopTests.config, let model = config.model(id: "syringe-pca-60ml")
    else { return nil }
    let seed = PatientProfile.memberSeed(77, i)
    let monitor = MonitorSettings(dropoutsPerHour: i % 2 == 0 ? 0 : 1)
    let patient = Patient(
      PatientProfile.adult70kg.individual(seed: seed), monitor: monitor, seed: seed)
    guard
      var loop = try? ClosedLoop.started(
        profile: model.profile, formulary: config.formulary, prescription: ClosedLoopTests.wardRx,
        patient: patient)
    else { return nil }
    loop.run(until: .hours(hours))
    return CourseOutcome(loop)
  }

  @Test
  func
    `REQ-PAT-COHORT-01 a cohort's outcomes are bit-identical in course order on 1, 2, 3 and 8 threads`()
    throws
  {
    let n = 6
    let one = Cohort.run(count: n, threads: 1) { Self.course($0, hours: 2) }
    #expect(one.count == n)
    let serial = (0..<n).map { Self.course($0, hours: 2) }
    for threads in [2, 3, 8] {
      let many = Cohort.run(count: n, threads: threads) { Self.course($0, hours: 2) }
      #expect(many.count == n)
      for i in 0..<n {
        let a = try #require(one[i])
        let b = try #require(many[i])
        #expect(a.isBitIdentical(to: b), "course \(i) on \(threads) threads")
      }
    }
    for i in 0..<n {
      let a = try #require(one[i])
      let s = try #require(serial[i])
      #expect(a.isBitIdentical(to: s), "course \(i) run directly")
    }
    // The members differ (the check is not vacuous).
    #expect(Set(one.map { $0?.delivered ?? -1 }).count > 1)
  }

  @Test
  func `REQ-PAT-COHORT-01 an empty cohort and more threads than courses`() {
    #expect(Cohort.run(count: 0, threads: 4) { $0 }.isEmpty)
    #expect(Cohort.run(count: 3, threads: 16) { $0 * 10 } == [0, 10, 20])
    #expect(Cohort.run(count: 100, threads: 2) { $0 } == Array(0..<100))
  }
}
