import PumpCore
import PumpHardware
import Testing

/// The explorers (issue 12 §3) at test size; Tools/test runs them full size in release
/// (pumpexplore). The broken-rule tests flip a DEBUG switch in the controller and show that the
/// explorers catch the break.
@Suite("Safety exploration")
struct ExplorationTests {
  static func random(_ broken: DebugBrokenRule? = nil) -> RandomExplorer {
    var e = RandomExplorer(
      profile: testProfile, formulary: testFormulary, basePrescription: standardRx)
    e.brokenRule = broken
    return e
  }

  static func bounded(depth: Int, _ broken: DebugBrokenRule? = nil) -> BoundedExplorer {
    var e = BoundedExplorer(
      profile: testProfile, formulary: testFormulary, prescription: standardRx, depth: depth)
    e.brokenRule = broken
    return e
  }

  @Test("REQ-EXPLORE-RANDOM-01: random sequences of every input kind break no safety invariant")
  func randomClean() {
    let s = Self.random().explore(steps: 20_000, firstSeed: 7)
    #expect(s.failures.isEmpty, "\(s.failures.first.map { "\($0.violation) \($0.steps)" } ?? "")")
    #expect(s.steps >= 20_000)
  }

  @Test("REQ-EXPLORE-BOUNDED-01: every sequence of the abstract alphabet to depth 3 is safe")
  func boundedClean() {
    let r = Self.bounded(depth: 3).explore()
    #expect(r.violation == nil, "\(r.violation.map { "\($0) after \(r.counterexample)" } ?? "")")
    #expect(BoundedExplorer.Symbol.allCases.count >= 12)
    #expect(r.states > 20)
  }

  @Test(
    "REQ-EXPLORE-BROKEN-01, REQ-SAFE-LATCH-01: with stop releasing the latch again, both explorers find the restart"
  )
  func brokenLatchFound() {
    let r = Self.bounded(depth: 7, .stopReleasesLatch).explore()
    #expect(r.violation != nil)
    let s = Self.random(.stopReleasesLatch).explore(steps: 400_000, firstSeed: 1)
    #expect(!s.failures.isEmpty)
    if let f = s.failures.first {
      #expect(f.steps.count <= 20, "shrunk to \(f.steps.count) steps")
      let text = ExplorationTrace.text(
        name: "x", profileID: "syringe-pca-60ml", prescription: f.prescription, steps: f.steps,
        violation: f.violation, seed: f.seed)
      #expect(text.contains("start: idle"))
    }
  }

  @Test(
    "REQ-EXPLORE-BROKEN-01: with the reset's condition check switched off, the explorer finds it")
  func brokenResetFound() {
    let r = Self.bounded(depth: 4, .resetIgnoresCondition).explore()
    #expect(r.violation != nil)
  }

  @Test(
    "REQ-EXPLORE-BROKEN-01, REQ-VITALS-STALE-02: with stale masking critical again, the explorer finds it"
  )
  func brokenStaleFound() {
    let r = Self.bounded(depth: 6, .staleMasksCritical).explore()
    #expect(r.violation != nil)
  }
}
