// When the controller next has work to do, for event-driven callers (the offline replayer jumps
// the clock straight there; the firmware ticks every control period anyway).

extension PumpController {
  /// The latest time the caller may advance to before calling `tick` again. Always > `now`
  /// (at least one control tick ahead) and aligned to the control-tick grid.
  public func nextDeadline() -> Milliseconds {
    var c = self
    return c.computeNextDeadline()
  }

  /// `nextDeadline()`, computed once per state: kept in `cachedDeadline` until the next entry
  /// point (`handle`, `tick`, `powerRestored`: each starts with `begin`, which drops it).
  /// Mutating so that a caller holding the controller `inout` (PumpRig) reads it in place:
  /// calling the non-mutating `nextDeadline()` there copies the whole controller first
  /// (docs/PERFORMANCE.md). Offline replay asks twice per patient grid step with no controller
  /// call in between (the catch-up to the instant, then the sample's own catch-up).
  public mutating func cachedNextDeadline() -> Milliseconds {
    if let d = cachedDeadline { return d }
    let d = computeNextDeadline()
    cachedDeadline = d
    return d
  }

  /// The body of `nextDeadline()`, always computed afresh. Mutating though it changes nothing:
  /// the controller is passed by reference, so `cachedNextDeadline` calls it without a copy
  /// (a non-mutating call from a mutating method copies the controller first), and there is
  /// one copy of its code (the embedded text budget).
  mutating func computeNextDeadline() -> Milliseconds {
    let tick = max(profile.controlTick.rawValue, 1)
    var d = Int64.max
    let t0 = now.rawValue
    func consider(_ t: Int64) { if t > t0 && t < d { d = t } }

    consider(flow.windowEnd.rawValue)
    if mode.therapyActive {
      if alwaysEvaluate {
        if let s = vitals.nextStaleDeadline(policy: policy, now: now) { consider(s.rawValue) }
      } else {
        #if DEBUG
          debugStaleBitLoops += 1
        #endif
        considerStaleDeadlines(consider)
      }
    }
    if let u = alarms.audioPausedUntil { consider(u.rawValue) }
    if stoppedWithTherapy { consider((modeSince + profile.pausedTooLong).rawValue) }
    // An unconfirmed implausible reading is re-read at the next control tick.
    if implausibleSensors != 0 { consider(t0 + tick) }
    if mode == .kvo {
      // Re-check the windows as old buckets expire.
      consider(ledger.nextBucketStart(after: now).rawValue)
    }
    let rate = commandedRate.rawValue
    if rate > 0, let p = prescription {
      // Bolus end, VTBI, reservoir thresholds: volume left / rate.
      let r = commandedRate
      let bolusLeft = bolus.map { ledger.wholeStepsVolume($0.remainingNanoliters) }
      let vtbiLeft = max(p.vtbi.nanoliters - (ledger.totalNanoliters - infusedBaseNanoliters), 0)
      let res = sensors.reservoir.nanoliters
      let lowVol = profile.lowReservoirVolume.nanoliters
      let lowTimeVol = expectedConsumptionRate().nanoliters(over: profile.lowReservoirTime)
      // Each of them is at least ⌊volume·3600 / rate⌋ ms after now: when the least volume
      // cannot be delivered before `d` (volume·3600 ≥ (d − now)·rate), none of them is earlier
      // than `d` and their divisions are skipped. (`d` holds every other candidate but the
      // headroom's already: it is a minimum, taken in any order.)
      var least = min(vtbiLeft, res, bolusLeft ?? res)
      if res > lowVol { least = min(least, res - lowVol) }
      if res > lowTimeVol { least = min(least, res - lowTimeVol) }
      // Bounds keep the two products exact in 64 bits (else no skip).
      let span = d &- t0
      let beyond =
        d != Int64.max && span > 0 && span <= 1 << 31 && rate <= 1 << 31 && least <= 1 << 50
        && least &* (Milliseconds.hour.rawValue / 1000) >= span &* rate
      if !beyond || alwaysEvaluate {
        if let left = bolusLeft {
          // When the whole steps of the dose are delivered (then every tick while the rate is
          // cut).
          consider(now.rawValue + r.timeCeil(toDeliverNanoliters: left).rawValue)
        }
        consider(now.rawValue + r.timeCeil(toDeliverNanoliters: vtbiLeft).rawValue)
        if res > lowVol {
          consider(now.rawValue + r.timeFloor(toDeliverNanoliters: res - lowVol).rawValue)
        }
        if res > lowTimeVol {
          consider(now.rawValue + r.timeFloor(toDeliverNanoliters: res - lowTimeVol).rawValue)
        }
        consider(now.rawValue + r.timeCeil(toDeliverNanoliters: res).rawValue)
      } else {
        #if DEBUG
          debugDeadlineVolumesSkipped += 1
        #endif
      }
      // Window limits: time until the headroom would be used up at this rate.
      keepWindowMasses(rate: r, concentration: p.concentration, kvoRate: p.kvoRate)
      let m = headroomMasses
      let headroom =
        max(
          min(
            p.limit1h.picograms - ledger.sum1hPicograms,
            p.limit4h.picograms - ledger.sum4hPicograms)
            - m.margin - (mode == .kvo ? 0 : m.reserve), 0)
      #if !hasFeature(Embedded)
        // Host builds: ⌊headroom / perMs⌋ ≥ d − now when headroom ≥ (d − now)·perMs; then the
        // candidate is not earlier than `d` and its division is skipped (the product exact
        // within the bounds).
        let left = d &- t0
        if !alwaysEvaluate && d != Int64.max && left <= 1 << 31 && m.perMs <= 1 << 31
          && headroom >= left &* m.perMs
        {
          #if DEBUG
            debugDeadlineHeadroomSkipped += 1
          #endif
          return aligned(d)
        }
      #endif
      consider(now.rawValue + headroom / m.perMs)
    }
    return aligned(d)
  }

  /// The least candidate `d` (`Int64.max`: none) aligned down to the tick grid (from
  /// power-on), at least one tick ahead of now.
  @inline(__always) private mutating func aligned(_ d: Int64) -> Milliseconds {
    let tick = max(profile.controlTick.rawValue, 1)
    let t0 = now.rawValue
    let o = origin.rawValue
    #if !hasFeature(Embedded)
      // Host builds: a least candidate at least a tick after now (now not before the origin)
      // has a grid instant in (now, d]; the one it aligns down to is then at least the first
      // after now, whose division is skipped.
      if d != Int64.max && d &- t0 >= tick && t0 >= o && !alwaysEvaluate {
        #if DEBUG
          debugDeadlineGridDirect += 1
        #endif
        return Milliseconds(((d - o) / tick) * tick + o)
      }
    #endif
    let floorTick = d == Int64.max ? Int64.max : ((d - o) / tick) * tick + o
    return Milliseconds(max(floorTick, ((now.rawValue - o) / tick + 1) * tick + o))
  }

  /// `VitalsMonitor.nextStaleDeadline`'s candidates, each required vital's stale deadline
  /// passed to `consider` itself: the least one later than now is the candidate the earliest
  /// one gives, since `consider` keeps the least later than now. The loop visits only the
  /// required vitals' bits (in increasing order: a bit with no track ends it, as the monitor's
  /// loop over its tracks ignores it) and needs no optional for the minimum.
  @inline(__always) func considerStaleDeadlines(_ consider: (Int64) -> Void) {
    let since = vitals.watchSince
    let staleAfter = policy.staleAfter
    let count = vitals.tracks.count
    var bits = UInt32(policy.required)
    while bits != 0 {
      let i = bits.trailingZeroBitCount
      if i >= count { break }
      bits &= bits &- 1
      consider(vitals.tracks[i].staleDeadline(since: since, after: staleAfter).rawValue)
    }
  }
}

/// The window-limit masses at a rate (`computeNextDeadline`, `regulate`): the KVO reserve, the
/// mass per millisecond at the rate, the step-quantisation margin, and (once `regulate` asks)
/// the mass of one control tick at the rate; kept with the inputs they were computed from, and
/// computed again when one differs (`PumpController.windowMasses`). Not part of the
/// controller's state (a snapshot leaves it out).
struct HeadroomMasses: Sendable {
  var rate: Int64 = -1
  var concentration: Int64 = -1
  var kvoRate: Int64 = -1
  /// The ledger's concentration, which the margin is computed at.
  var ledgerConcentration: Int64 = -1
  var reserve: Int64 = 0
  var perMs: Int64 = 1
  var margin: Int64 = 0
  /// `tickMass` is the mass of one control tick at `rate` once `tickKnown` (computed on
  /// `regulate`'s first ask, so the deadline never computes a product it did not compute
  /// before).
  var tickKnown = false
  var tickMass: Int64 = 0

  /// Whether these are the masses for `rate`, prescription concentration `c`, KVO rate `kvo`
  /// and ledger concentration `ledger`.
  @inline(__always) func computed(rate r: Int64, _ c: Int64, _ kvo: Int64, ledger: Int64) -> Bool {
    rate == r && concentration == c && kvoRate == kvo && ledgerConcentration == ledger
  }
}

extension PumpController {
  /// Makes `headroomMasses` the masses at `rate` for the prescription in force (concentration
  /// `c`, KVO rate `kvo`): kept from the last time while their inputs are the same (the
  /// profile, so the control tick and the steps per millilitre, is fixed), computed afresh
  /// otherwise and always on the reference path. Scalars, not the prescription: passing it to
  /// a mutating call copies it.
  @inline(__always) mutating func keepWindowMasses(
    rate r: MicrolitersPerHour, concentration c: MicrogramsPerMilliliter,
    kvoRate kvo: MicrolitersPerHour
  ) {
    if headroomMasses.computed(
      rate: r.rawValue, c.rawValue, kvo.rawValue, ledger: ledger.concentration) && !alwaysEvaluate
    {
      #if DEBUG
        debugHeadroomMassesKept += 1
      #endif
      return
    }
    computeWindowMasses(rate: r, concentration: c, kvoRate: kvo)
  }

  private mutating func computeWindowMasses(
    rate r: MicrolitersPerHour, concentration c: MicrogramsPerMilliliter,
    kvoRate kvo: MicrolitersPerHour
  ) {
    headroomMasses = HeadroomMasses(
      rate: r.rawValue, concentration: c.rawValue, kvoRate: kvo.rawValue,
      ledgerConcentration: ledger.concentration, reserve: kvoReservePicograms,
      perMs: max(r.picogramsCeil(over: Milliseconds(1), at: c), 1), margin: limitMarginPicograms)
  }
}
