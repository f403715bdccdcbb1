import Dispatch
import PumpCore
import PumpPatient
import Synchronization

/// Many independent closed-loop courses spread over threads, with results in course order.
///
/// Course `i` must depend only on `i` (its individual and seed come from the cohort's seed and
/// `i`, never from a shared generator): then the results are bit-identical whatever the number
/// of threads, and whichever thread ran which course. Threads take the next course from one
/// shared counter (courses differ in cost: an interlock stop ends the pumping early), and each
/// result goes to its own slot, so nothing is merged or sorted afterwards.
public enum Cohort {
  /// Runs `course(i)` for every `i` in `0..<count` on `threads` threads (at least one; the
  /// calling thread is one of them) and returns the results in index order.
  public static func run<Result: Sendable>(
    count: Int, threads: Int, _ course: @escaping @Sendable (Int) -> Result
  ) -> [Result] {
    let n = max(count, 0)
    let workers = min(max(threads, 1), max(n, 1))
    let slots = Slots<Result>(count: n)
    let work: @Sendable () -> Void = {
      while let i = slots.claim() { slots.store(course(i), at: i) }
    }
    if workers == 1 {
      work()
    } else {
      DispatchQueue.concurrentPerform(iterations: workers) { _ in work() }
    }
    return slots.collect()
  }
}

/// One write-once slot per course. Each index is written by exactly one thread (`claim` hands
/// it out once) and read only after every worker has returned.
private final class Slots<Result>: @unchecked Sendable {
  private let count: Int
  private let base: UnsafeMutablePointer<Result?>
  private let next = Atomic<Int>(0)

  init(count: Int) {
    self.count = count
    base = UnsafeMutablePointer<Result?>.allocate(capacity: max(count, 1))
    base.initialize(repeating: nil, count: max(count, 1))
  }

  /// The next course nobody has taken, or nil when all are taken.
  func claim() -> Int? {
    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
    return i < count ? i : nil
  }

  func store(_ r: Result, at i: Int) { base[i] = r }

  func collect() -> [Result] {
    (0..<count).map { i in
      guard let r = base[i] else { preconditionFailure("course \(i) produced no result") }
      return r
    }
  }

  deinit {
    base.deinitialize(count: max(count, 1))
    base.deallocate()
  }
}

/// What a course ended with, for cohort summaries and the determinism check: the drug handed
/// over, the controller's counts and mode, the patient's state (bit-exact doubles) and the
/// first interlock stop.
public struct CourseOutcome: Sendable, Equatable {
  /// Drug handed to the patient, µg.
  public var delivered: Int64
  public var demands: Int64
  public var grants: Int64
  public var samplesSent: Int64
  public var mode: Mode
  public var firstInterlockStop: Milliseconds?
  /// The patient's true state at the end.
  public var vitals: PatientVitals

  /// The outcome of `loop` as it stands.
  public init(_ loop: borrowing ClosedLoop) {
    let s = loop.rig.controller.status
    delivered = loop.handedOver
    demands = s.bolusDemands
    grants = s.bolusGrants
    samplesSent = loop.samplesSent
    mode = loop.rig.controller.mode
    firstInterlockStop = loop.firstInterlockStop
    vitals = loop.patient.vitals
  }

  /// True when every field, the doubles bit for bit, equals `other`'s (`==` on doubles would
  /// let -0 pass for 0 and fail NaN against itself).
  public func isBitIdentical(to other: CourseOutcome) -> Bool {
    let a = vitals
    let b = other.vitals
    let same = [
      (a.hr, b.hr), (a.sbp, b.sbp), (a.dbp, b.dbp), (a.spo2, b.spo2), (a.rr, b.rr),
      (a.pain, b.pain), (a.dissociation, b.dissociation), (a.plasma, b.plasma),
      (a.effectSite, b.effectSite),
    ].allSatisfy { $0.0.bitPattern == $0.1.bitPattern }
    return same && delivered == other.delivered && demands == other.demands
      && grants == other.grants && samplesSent == other.samplesSent && mode == other.mode
      && firstInterlockStop == other.firstInterlockStop
  }
}
