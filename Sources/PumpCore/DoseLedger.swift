/// Delivered-drug accounting from motor feedback, and the rolling 60- and 240-minute windows.
///
/// Mass is kept in picograms (1 nL × 1 µg/mL = 1 pg, exact). The cumulative total is computed
/// from the cumulative step count, so per-report rounding never accumulates: after any number of
/// reports the total is ⌈steps × 10⁶ × concentration / stepsPerMilliliter⌉ pg, within 1 pg of
/// the exact rational value (REQ-DOSE-DRIFT-01). Window sums use 10-second buckets and count every
/// bucket that overlaps the window, so they never under-count (the safe side).
public struct DoseLedger: Sendable {
  public static let bucketLength: Int64 = 10_000
  public static let window1h: Int64 = 3_600_000
  public static let window4h: Int64 = 14_400_000
  static let slotCount = Int(window4h / bucketLength) + 2

  /// Steps and picograms delivered since power-on of this ledger (at any concentration).
  public internal(set) var totalSteps: Int64 = 0
  public internal(set) var totalPicograms: Int64 = 0
  /// Delivered volume, nL, rounded down.
  public internal(set) var totalNanoliters: Int64 = 0
  // Steps and concentration of the current concentration segment, for drift-free totals.
  var segmentSteps: Int64 = 0
  var segmentBasePicograms: Int64 = 0
  var segmentBaseNanoliters: Int64 = 0
  var concentration: Int64 = 0
  let stepsPerMilliliter: Int64
  /// Volume of one motor step, nL, rounded up (fixed with `stepsPerMilliliter`: computed once,
  /// not at each control step's flow check).
  public let stepNanoliters: Int64

  var tags: [Int64]
  var masses: [Int64]
  /// No window edge moves before this instant (from `origin`), given the last `advance`: an
  /// advance to an earlier instant changes nothing and is skipped. Not part of the state (a
  /// snapshot leaves it out: a restored ledger starts from power-on's, where every advance it
  /// skips is a no-op as well).
  var stableUntil: Int64 = 0
  #if DEBUG
    /// Test-only reference path: every report is spread by the loop, never the one-bucket
    /// shortcut, and every `advance` runs in full (`PumpController.debugAlwaysEvaluate` sets
    /// it).
    public var debugReferencePath = false
    /// Reports that took the one-bucket shortcut, and advances skipped before `stableUntil`
    /// (tests: the shortcuts are exercised).
    public internal(set) var debugOneBucketSpreads: Int64 = 0
    public internal(set) var debugRepeatedAdvances: Int64 = 0
  #endif
  /// Lowest bucket index inside each window, and the sums of the buckets from there on.
  var lo1h: Int64 = 0
  var lo4h: Int64 = 0
  var hi: Int64 = 0
  public internal(set) var sum1hPicograms: Int64 = 0
  public internal(set) var sum4hPicograms: Int64 = 0
  var lastReport: Milliseconds
  /// Buckets are aligned to this instant (power-on), so results do not depend on the clock's
  /// absolute value.
  let origin: Int64

  public init(stepsPerMilliliter: Int64, now: Milliseconds) {
    self.stepsPerMilliliter = max(stepsPerMilliliter, 1)
    stepNanoliters = Arith.divCeil(1_000_000, self.stepsPerMilliliter)
    origin = now.rawValue
    tags = [Int64](repeating: -1, count: Self.slotCount)
    masses = [Int64](repeating: 0, count: Self.slotCount)
    lastReport = now
    advance(to: now)
  }

  /// Mass of one motor step at the current concentration, pg, rounded up.
  public var stepPicograms: Int64 {
    Self.stepPicograms(concentration: concentration, stepsPerMilliliter: stepsPerMilliliter)
  }

  /// `stepPicograms` from the two fields it depends on: a caller holding the ledger inside a
  /// controller it mutates reads them in place (the getter would copy the whole ledger).
  static func stepPicograms(concentration: Int64, stepsPerMilliliter: Int64) -> Int64 {
    Arith.mulDivCeil(1_000_000, concentration, stepsPerMilliliter)
  }

  /// The part of `nanoliters` that whole motor steps can deliver without exceeding it, nL,
  /// rounded down (zero when less than one step is left).
  public func wholeStepsVolume(_ nanoliters: Int64) -> Int64 {
    let steps = Arith.mulDivFloor(nanoliters, stepsPerMilliliter, 1_000_000)
    return Arith.mulDivFloor(steps, 1_000_000, stepsPerMilliliter)
  }

  /// Starts a new concentration segment (a new syringe or prescription).
  public mutating func setConcentration(_ c: MicrogramsPerMilliliter) {
    guard c.rawValue != concentration else { return }
    segmentBasePicograms = totalPicograms
    segmentBaseNanoliters = totalNanoliters
    segmentSteps = 0
    concentration = max(c.rawValue, 0)
  }

  /// Records `steps` delivered uniformly over (lastReport, now] and returns the picograms and
  /// nanolitres they added.
  @discardableResult
  public mutating func record(steps: Int64, now: Milliseconds) -> (
    picograms: Int64, nanoliters: Int64
  ) {
    let start = lastReport
    if now > lastReport { lastReport = now }
    #if hasFeature(Embedded)
      advance(to: now)
    #else
      // Host builds: `advance`'s first test inline (a control step's report always passes it:
      // the step's `begin` advanced to this instant), so no call for nothing.
      if edgesStable(at: now) {
        #if DEBUG
          debugRepeatedAdvances += 1
        #endif
      } else {
        advance(to: now)
      }
    #endif
    guard steps > 0 else { return (0, 0) }
    totalSteps = Arith.addSat(totalSteps, steps)
    segmentSteps = Arith.addSat(segmentSteps, steps)
    let newPg =
      segmentBasePicograms
      + Arith.mulDivCeil(segmentSteps, 1_000_000 * concentration, stepsPerMilliliter)
    let newNl =
      segmentBaseNanoliters + Arith.mulDivFloor(segmentSteps, 1_000_000, stepsPerMilliliter)
    let addedPg = newPg - totalPicograms
    let addedNl = newNl - totalNanoliters
    totalPicograms = newPg
    totalNanoliters = newNl
    spread(addedPg, from: start, to: now)
    return (addedPg, addedNl)
  }

  /// Spreads `mass` over the buckets overlapping (a, b] in proportion to time (exact total).
  /// (Inlined into its one caller, `record`.)
  @inline(__always) private mutating func spread(
    _ mass: Int64, from a: Milliseconds, to b: Milliseconds
  ) {
    let end = max(b.rawValue - origin, 0)
    let begin = max(a.rawValue - origin, end - Self.window4h, 0)
    let span = end - begin
    if span <= 0 {
      add(mass, bucket: end / Self.bucketLength)
      return
    }
    var k = begin / Self.bucketLength
    // Inside one bucket (a control step's report, nearly always): the loop below would give it
    // all to bucket `k` in its first pass.
    if end <= (k + 1) * Self.bucketLength && !referencePath {
      #if DEBUG
        debugOneBucketSpreads += 1
      #endif
      if mass > 0 { add(mass, bucket: k) }
      return
    }
    var given: Int64 = 0
    while given < mass {
      let bucketEnd = min((k + 1) * Self.bucketLength, end)
      let upTo = bucketEnd >= end ? mass : Arith.mulDivCeil(mass, bucketEnd - begin, span)
      if upTo > given {
        add(upTo - given, bucket: k)
        given = upTo
      }
      k += 1
    }
  }

  private var referencePath: Bool {
    #if DEBUG
      return debugReferencePath
    #else
      return false
    #endif
  }

  private mutating func add(_ mass: Int64, bucket k: Int64) {
    let slot = Int(k % Int64(Self.slotCount))
    if tags[slot] != k {
      tags[slot] = k
      masses[slot] = 0
    }
    masses[slot] += mass
    if k >= lo4h { sum4hPicograms += mass }
    if k >= lo1h { sum1hPicograms += mass }
  }

  /// Moves the windows' lower edges to `now`, dropping expired buckets from the sums.
  public mutating func advance(to now: Milliseconds) {
    let t = max(now.rawValue - origin, 0)
    if edgesStable(at: now) {
      #if DEBUG
        debugRepeatedAdvances += 1
      #endif
      return
    }
    let newHi = t / Self.bucketLength
    let new1 = max(t - Self.window1h + 1, 0) / Self.bucketLength
    let new4 = max(t - Self.window4h + 1, 0) / Self.bucketLength
    if newHi < hi { return }
    hi = newHi
    if new4 - lo4h > Int64(Self.slotCount) {
      sum1hPicograms = 0
      sum4hPicograms = 0
      for i in 0..<tags.count { tags[i] = -1 }
    } else {
      var k = lo4h
      while k < new4 {
        sum4hPicograms -= mass(at: k)
        k += 1
      }
    }
    if new1 - lo1h > Int64(Self.slotCount) {
      sum1hPicograms = 0
    } else {
      var k = lo1h
      while k < new1 {
        sum1hPicograms -= mass(at: k)
        k += 1
      }
    }
    lo1h = max(new1, lo1h)
    lo4h = max(new4, lo4h)
    // `hi` moves at multiples of the bucket length, the two lower edges one millisecond before
    // them (the windows are whole buckets long): the next such instant after `t`.
    let r = t % Self.bucketLength
    stableUntil = r < Self.bucketLength - 1 ? t - r + Self.bucketLength - 1 : t + 1
  }

  /// Before `stableUntil` no edge can move: advancing there changes nothing (nothing else
  /// moves the edges). Each control step's report asks right after the step advanced, and at
  /// 1 Hz nine steps in ten stay inside the bucket of the one before. Never on the reference
  /// path.
  @inline(__always) private func edgesStable(at now: Milliseconds) -> Bool {
    max(now.rawValue - origin, 0) < stableUntil && !referencePath
  }

  /// Start of the bucket after the one holding `t`.
  public func nextBucketStart(after t: Milliseconds) -> Milliseconds {
    let rel = max(t.rawValue - origin, 0)
    return Milliseconds((rel / Self.bucketLength + 1) * Self.bucketLength + origin)
  }

  func mass(at k: Int64) -> Int64 {
    let slot = Int(k % Int64(Self.slotCount))
    return tags[slot] == k ? masses[slot] : 0
  }

  /// Delivered in the last 60 / 240 minutes, µg, rounded up.
  public var delivered1h: Micrograms { Micrograms(Arith.divCeil(sum1hPicograms, 1_000_000)) }
  public var delivered4h: Micrograms { Micrograms(Arith.divCeil(sum4hPicograms, 1_000_000)) }
  /// Delivered since power-on, µg, rounded up.
  public var deliveredTotal: Micrograms { Micrograms(Arith.divCeil(totalPicograms, 1_000_000)) }
}
