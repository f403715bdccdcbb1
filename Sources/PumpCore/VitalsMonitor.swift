/// Artifact rejection and staleness for one vital.
///
/// A band counts only when readings at or beyond it persist for `persistSamples` consecutive
/// samples or span `persistTime` (first to latest reading). A run that ends before that is an
/// artifact: logged, never alarmed (REQ-VITALS-ARTIFACT-01).
struct VitalTrack: Sendable {
  var lastValue: Int32 = 0
  var lastSample: Milliseconds? = nil
  /// Consecutive samples at warning-or-worse and at critical, per direction (+1 high, -1 low).
  var warnRun: Int32 = 0
  var critRun: Int32 = 0
  var warnSince: Milliseconds = .zero
  var critSince: Milliseconds = .zero
  var direction: Int8 = 0
  /// The confirmed level.
  var confirmed: VitalLevel = .normal
  #if DEBUG
    /// Quiet readings taken (`VitalsMonitor.takeQuietReadings`; tests: the shortcut is taken).
    var debugQuietSamples: Int64 = 0
  #endif

  /// Takes one reading; returns the abnormal value of an ended, unconfirmed run (an artifact).
  /// `persistSamples` and `persistTime` are the policy's (passed alone: the whole policy would
  /// be copied for every vital of every sample). A normal reading on a quiet track usually goes
  /// past it (`VitalsMonitor.takeQuietReadings`).
  mutating func sample(
    _ value: Int32, band: VitalBand, persistSamples: Int32, persistTime: Milliseconds,
    now: Milliseconds
  ) -> Int32? {
    let level = band.level(of: value)
    var artifact: Int32? = nil
    let dir: Int8 =
      (level == .warningHigh || level == .criticalHigh) ? 1 : (level == .normal ? 0 : -1)
    if dir != direction || dir == 0 {
      if warnRun > 0 && confirmed == .normal { artifact = lastValue }
      warnRun = 0
      critRun = 0
    }
    direction = dir
    if dir != 0 {
      if warnRun == 0 { warnSince = now }
      warnRun += 1
      if level.isCritical {
        if critRun == 0 { critSince = now }
        critRun += 1
      } else {
        critRun = 0
      }
    }
    lastValue = value
    lastSample = now
    func persists(_ run: Int32, _ since: Milliseconds) -> Bool {
      run > 0 && (run >= persistSamples || now - since >= persistTime)
    }
    if persists(critRun, critSince) {
      confirmed = dir > 0 ? .criticalHigh : .criticalLow
    } else if persists(warnRun, warnSince) {
      confirmed = dir > 0 ? .warningHigh : .warningLow
    } else {
      confirmed = .normal
    }
    return artifact
  }

  func isStale(now: Milliseconds, since start: Milliseconds, after limit: Milliseconds) -> Bool {
    let reference = max(lastSample ?? start, start)
    return now - reference >= limit
  }

  func staleDeadline(since start: Milliseconds, after limit: Milliseconds) -> Milliseconds {
    max(lastSample ?? start, start) + limit
  }
}

/// The vitals interlock (OpenICE pattern): one warning → medium alarm and no patient boluses;
/// `interlockWarnings` concurrent warnings or any critical → high alarm and stop.
struct VitalsMonitor: Sendable {
  var tracks: [VitalTrack] = [VitalTrack](repeating: VitalTrack(), count: 5)
  var latest = VitalsSample()
  /// Time from which staleness is measured (start of the therapy).
  var watchSince: Milliseconds = .zero
  #if !hasFeature(Embedded)
    /// Each vital's normal range as exclusive bounds, by raw value (`keepNormalBounds`). Until
    /// they are kept from a policy they hold no value, so no reading counts as quiet. Host
    /// only, like the quiet readings that use them.
    var normalAbove = InlineArray<5, Int64>(repeating: .max)
    var normalBelow = InlineArray<5, Int64>(repeating: .min)
  #endif

  struct Assessment: Equatable {
    var warnings: Int32 = 0
    var criticals: Int32 = 0
    var stale: Int32 = 0
    var bandWarnings: Int32 = 0
  }

  #if !hasFeature(Embedded)
    /// Takes the sample's quiet readings: a reading whose band level is normal (strictly inside
    /// the kept normal range) on a track with no direction, no run and `.normal` confirmed.
    /// From that state `VitalTrack.sample` only stores the value and the time: the direction
    /// stays 0, both runs are reset to the 0 they are, no run ended so there is no artifact,
    /// and no run persists so `.normal` is confirmed again (docs/PERFORMANCE.md, "Quiet
    /// vitals"). Every condition is checked, so a restored track with any fields is handled
    /// exactly. Returns the vitals taken (`Vital.bit`s) and whether one of them was stale
    /// before and is not when taken, or the other way round (`staleWhenTaken`). One uniqueness
    /// check of `tracks` for the whole sample.
    mutating func takeQuietReadings(
      _ s: VitalsSample, now: Milliseconds, staleAfter: Milliseconds, staleWhenTaken: Bool
    ) -> (taken: UInt8, changed: Bool) {
      let above = normalAbove
      let below = normalBelow
      let since = watchSince
      var taken: UInt8 = 0
      var changed = false
      tracks.withUnsafeMutableBufferPointer { t in
        func take(_ i: Int, _ reading: Int32?) {
          guard let value = reading else { return }
          let v = Int64(value)
          guard
            above[i] < v && v < below[i] && t[i].direction == 0 && t[i].warnRun == 0
              && t[i].critRun == 0 && t[i].confirmed == .normal
          else { return }
          if t[i].isStale(now: now, since: since, after: staleAfter) != staleWhenTaken {
            changed = true
          }
          t[i].lastValue = value
          t[i].lastSample = now
          #if DEBUG
            t[i].debugQuietSamples += 1
          #endif
          taken |= 1 << UInt8(i)
        }
        take(0, s.sbp)
        take(1, s.dbp)
        take(2, s.hr)
        take(3, s.spo2)
        take(4, s.rr)
      }
      return (taken, changed)
    }
  #endif

  /// Keeps each band's normal range (`VitalBand.normalBounds`) for `takeQuietReadings`. The
  /// controller calls it wherever its policy is set. Nothing to keep in the firmware image (no
  /// quiet readings there).
  mutating func keepNormalBounds(of p: VitalsPolicy) {
    #if !hasFeature(Embedded)
      func keep(_ i: Int, _ band: VitalBand) {
        let b = band.normalBounds
        normalAbove[i] = b.above
        normalBelow[i] = b.below
      }
      keep(0, p.sbp)
      keep(1, p.dbp)
      keep(2, p.hr)
      keep(3, p.spo2)
      keep(4, p.rr)
    #endif
  }

  /// Counts warnings, criticals and stale vitals. A stale vital counts at least as a warning,
  /// and as its last confirmed level when that was worse: a critical vital whose lead drops out
  /// stays critical until a reading confirms otherwise (REQ-VITALS-STALE-02). Inlined: a call
  /// would copy the caller's `policy` (188 bytes) at every control step.
  @inline(__always) func assess(
    policy: VitalsPolicy, now: Milliseconds, watching: Bool, staleMasksCritical: Bool = false
  ) -> Assessment {
    var a = Assessment()
    // By index (the raw value of each `Vital`): no loop over `Vital.allCases`.
    let required = watching ? policy.required : 0
    let staleAfter = policy.staleAfter
    for i in tracks.indices {
      let t = tracks[i]
      if required & (1 << UInt8(i)) != 0
        && t.isStale(now: now, since: watchSince, after: staleAfter)
      {
        a.stale += 1
        if t.confirmed.isCritical && !staleMasksCritical {
          a.criticals += 1
        } else {
          a.warnings += 1
          if t.confirmed.isAbnormal && !staleMasksCritical { a.bandWarnings += 1 }
        }
        continue
      }
      if t.confirmed.isCritical {
        a.criticals += 1
      } else if t.confirmed.isAbnormal {
        a.warnings += 1
        a.bandWarnings += 1
      }
    }
    return a
  }

  /// The earliest time a required vital goes stale (for the event-driven clock). Inlined, like
  /// `assess`.
  @inline(__always) func nextStaleDeadline(policy: VitalsPolicy, now: Milliseconds) -> Milliseconds?
  {
    var best: Milliseconds? = nil
    let required = policy.required
    let staleAfter = policy.staleAfter
    for i in tracks.indices where required & (1 << UInt8(i)) != 0 {
      let d = tracks[i].staleDeadline(since: watchSince, after: staleAfter)
      if d > now, best.map({ d < $0 }) ?? true { best = d }
    }
    return best
  }

  func age(of v: Vital, now: Milliseconds) -> Milliseconds? {
    tracks[Int(v.rawValue)].lastSample.map { now - $0 }
  }
}
