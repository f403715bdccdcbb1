import PumpCore
import PumpHardware
import PumpNoise
import Testing

/// Applies one scenario step to a rig (as `firstViolation` does), collecting the effects.
private func apply(_ step: Step, to rig: inout PumpRig, effects: inout [Effect]) {
  var collected: [Effect] = []
  switch step {
  case .wait(let ms): rig.advance(to: rig.now + Milliseconds(ms)) { collected += $0.effects }
  case .event(let e): rig.send(e, at: rig.now) { collected += $0.effects }
  case .door(let o): rig.hardware.doorOpen = o
  case .occlude(let o): rig.hardware.downstreamOccluded = o
  case .air(let v): rig.hardware.injectAir(Microliters(v))
  case .stall(let s): rig.hardware.motorStalled = s
  case .mains(let m): rig.hardware.onMains = m
  case .battery(let ms): rig.hardware.setBatteryRemaining(Milliseconds(ms))
  case .reservoir(let ul): rig.hardware.loadReservoir(Microliters(ul))
  }
  effects += collected
}

private func freshRig() -> PumpRig {
  PumpRig(
    controller: PumpController(profile: testProfile, formulary: testFormulary, now: .zero),
    hardware: SimulatedHardware(profile: testProfile, now: .zero))
}

@Suite("State snapshots (issue 13)")
struct SnapshotTests {
  /// Random histories (the property suite's generators), a snapshot at a random point, restore,
  /// then both rigs continue with the same steps: the same effects at every step and the same
  /// state (canonical bytes, logs included) to the end.
  @Test("REQ-FW-SNAPSHOT-01: a restored rig continues exactly as the one that never stopped")
  func restoredRigContinuesIdentically() throws {
    var cuts = SeededGenerator(seed: 0x5A_0013)
    for seed in UInt64(1)...300 {
      let steps = Scenario.generate(seed: seed, maxLength: 160)
      let cut = Int.random(in: 0...steps.count, using: &cuts)
      var original = freshRig()
      var ignored: [Effect] = []
      for s in steps[..<cut] { apply(s, to: &original, effects: &ignored) }
      let bytes = original.snapshot()
      var restored = try PumpRig(
        restoring: bytes, profile: testProfile, formulary: testFormulary)
      #expect(restored.snapshot() == bytes, "seed \(seed): re-encoding differs")
      for (i, s) in steps[cut...].enumerated() {
        var a: [Effect] = []
        var b: [Effect] = []
        apply(s, to: &original, effects: &a)
        apply(s, to: &restored, effects: &b)
        guard a == b, original.snapshot() == restored.snapshot() else {
          Issue.record("seed \(seed), cut \(cut): diverged at step \(cut + i) (\(s))")
          break
        }
      }
      #expect(original.controller.log.entries == restored.controller.log.entries)
      #expect(
        original.controller.ledger.totalPicograms == restored.controller.ledger.totalPicograms)
    }
  }

  /// The controller's own snapshot (safety state, no logs) restores the same decisions: a bolus
  /// in lockout stays denied, windows keep their sums.
  @Test("REQ-FW-SNAPSHOT-02: a controller snapshot keeps lockout, grants and dose windows")
  func controllerSnapshotKeepsLockoutAndWindows() throws {
    var b = Bench.infusing()
    b.run(.minutes(10))
    b.send(.patientBolusRequest)
    b.run(.minutes(2))
    let bytes = b.rig.controller.snapshot()
    var restored = try PumpController(
      restoring: bytes, profile: testProfile, formulary: testFormulary)
    #expect(restored.snapshot() == bytes)
    #expect(restored.ledger.delivered1h == b.pump.ledger.delivered1h)
    #expect(restored.lastPatientGrant == b.pump.lastPatientGrant)
    restored.handle(.patientBolusRequest, now: restored.now)
    #expect(
      restored.effects.contains {
        if case .bolusDenied(.lockout, _) = $0 { true } else { false }
      })
  }

  /// Any damaged snapshot is refused with an error, never a trap; one of another schema or rule
  /// version is refused as such.
  @Test("REQ-FW-SNAPSHOT-03: damaged snapshots never trap; other schema or rules are refused")
  func damagedSnapshotsAreRefused() {
    var b = Bench.infusing()
    b.run(.minutes(5))
    let bytes = b.rig.snapshot()
    var r = SeededGenerator(seed: 7)
    for _ in 0..<400 {
      var damaged = bytes
      if Bool.random(using: &r) {
        damaged.removeLast(Int.random(in: 1...bytes.count, using: &r))
      } else {
        let i = Int.random(in: 0..<bytes.count, using: &r)
        damaged[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &r)
      }
      // Decoding either fails cleanly or yields a rig (a flipped bit inside a value is still
      // a well-formed snapshot: the journal's CRC catches those).
      _ = try? PumpRig(restoring: damaged, profile: testProfile, formulary: testFormulary)
    }
    var other = b.rig.controller.snapshot()
    other[2] = 99
    #expect(throws: SnapshotError.schema(99)) {
      try PumpController(restoring: other, profile: testProfile, formulary: testFormulary)
    }
    var rules = b.rig.controller.snapshot()
    rules[3] = UInt8(PumpController.ruleVersion + 1)
    #expect(throws: SnapshotError.ruleVersion(PumpController.ruleVersion + 1)) {
      try PumpController(restoring: rules, profile: testProfile, formulary: testFormulary)
    }
  }
}
