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
    /// Readings that took the quiet path of `sample` (tests: the shortcut is exercised).
    var debugQuietSamples: Int64 = 0
  #endif

  /// Takes one reading; returns the abnormal value of an ended, unconfirmed run (an artifact).
  /// `persistSamples` and `persistTime` are the policy's (passed alone: the whole policy would
  /// be copied for every vital of every sample).
  ///
  /// With `quiet`, a normal reading on a quiet track (no direction, no run, confirmed normal)
  /// goes past the run logic and the confirmation: from that state they change nothing (the
  /// direction stays 0, both runs are reset to the 0 they are, no run ended so no artifact, no
  /// run persists so `.normal` is confirmed again; docs/PERFORMANCE.md, "Quiet vitals").
  mutating func sample(
    _ value: Int32, band: VitalBand, persistSamples: Int32, persistTime: Milliseconds,
    now: Milliseconds, quiet: Bool
  ) -> Int32? {
    let level = band.level(of: value)
    var artifact: Int32? = nil
    if quiet && level == .normal && direction == 0 && warnRun == 0 && critRun == 0
      && confirmed == .normal
    {
      #if DEBUG
        debugQuietSamples += 1
      #endif
      lastValue = value
      lastSample = now
      return nil
    }
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

  /// All `VitalsMonitor.assess` reads of this track at `now`: the confirmed level and whether
  /// the vital is stale.
  @inline(__always) func assessed(
    now: Milliseconds, since start: Milliseconds, after limit: Milliseconds
  )
    -> Assessed
  {
    Assessed(confirmed: confirmed, stale: isStale(now: now, since: start, after: limit))
  }

  struct Assessed: Equatable {
    var confirmed: VitalLevel
    var stale: Bool
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

  struct Assessment: Equatable {
    var warnings: Int32 = 0
    var criticals: Int32 = 0
    var stale: Int32 = 0
    var bandWarnings: Int32 = 0
  }

  /// Takes one vital's reading; returns the value of an ended artifact run, if any (`quiet`:
  /// see `VitalTrack.sample`).
  mutating func take(
    _ v: Vital, _ value: Int32, band: VitalBand, persistSamples: Int32, persistTime: Milliseconds,
    now: Milliseconds, quiet: Bool
  ) -> Int32? {
    switch v {
    case .sbp: latest.sbp = value
    case .dbp: latest.dbp = value
    case .hr: latest.hr = value
    case .spo2: latest.spo2 = value
    case .rr: latest.rr = value
    }
    return tracks[Int(v.rawValue)].sample(
      value, band: band, persistSamples: persistSamples, persistTime: persistTime, now: now,
      quiet: quiet)
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
