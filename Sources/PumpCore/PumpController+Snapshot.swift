// Host builds, and Embedded builds that opt in with -D KETAPUMP_EMBEDDED_SNAPSHOT: the code is
// Embedded-safe (it builds with the flag), but costs about 14.6 kB of text, more than the
// 64 KiB budget of Tools/embedded-build leaves today (docs/FIRMWARE.md "Snapshots").
#if !hasFeature(Embedded) || KETAPUMP_EMBEDDED_SNAPSHOT
  /// The controller's safety state as bytes, and back (docs/FIRMWARE.md "Snapshots").
  ///
  /// A snapshot holds everything the controller decides with: mode and its reason state, clocks,
  /// prescription (active and pending), basal state, the running and pre-empted bolus, patient
  /// grant times and counts, the dose ledger's buckets, the flow monitor, vitals tracks and
  /// policy, every alarm slot with its acknowledgement and the audio pause, sensor values, latches.
  /// The profile and formulary are configuration, passed in again at restore (the firmware's
  /// journal header pins their digests). Encoding is canonical: two controllers that behave the
  /// same from now on give the same bytes (grant times older than an hour and dose buckets outside
  /// the 4-h window are left out, as they can never count again).
  ///
  /// Layout: magic "KS", schema byte, `ruleVersion`, then the fields in the order of `encode`.
  extension PumpController {
    /// The version of the controller's safety rules. Bump it whenever a change to PumpCore could
    /// make the same inputs give a different decision or a snapshot mean something else (a limit,
    /// a lockout, an alarm's latching, a window's arithmetic, a new stored field): journals and
    /// snapshots of another rule version are refused (`fault(journal-version)`), never
    /// re-interpreted.
    public static let ruleVersion: UInt32 = 2
    /// The layout of `snapshot()`.
    public static let snapshotSchema: UInt8 = 2

    /// The safety state, canonically encoded (the event logs are separate: `logSnapshot()`).
    public func snapshot() -> [UInt8] {
      var w = SnapshotWriter(capacity: 2048)
      encode(into: &w)
      return w.bytes
    }

    /// A controller in exactly the state `snapshot()` captured, for this profile and formulary.
    /// Its event logs are empty (restore them with `restoreLogs(_:)`); `effects` is empty.
    public init(restoring bytes: [UInt8], profile: HardwareProfile, formulary: Formulary)
      throws(SnapshotError)
    {
      var r = SnapshotReader(bytes)
      try self.init(from: &r, profile: profile, formulary: formulary)
      try r.end()
    }

    public func encode(into w: inout SnapshotWriter) {
      w.byte(0x4B)
      w.byte(0x53)
      w.byte(Self.snapshotSchema)
      w.unsigned(UInt64(Self.ruleVersion))
      w.ms(origin)
      w.ms(now)
      mode.encode(into: &w)
      w.ms(modeSince)
      if let m = resumeAfterSelfTest {
        w.bool(true)
        m.encode(into: &w)
      } else {
        w.bool(false)
      }
      for p in [prescription, pending] {
        if let p {
          w.bool(true)
          p.encode(into: &w)
        } else {
          w.bool(false)
        }
      }
      w.unsigned(UInt64(pendingSoftViolations))
      policy.encode(into: &w)
      w.int(basalRate.rawValue)
      w.int(basalVolumeRate.rawValue)
      w.ms(lastRateIncrease)
      w.int(lastBasalInForce.rawValue)
      w.int(commandedRate.rawValue)
      w.bool(kvoHeld)
      for b in [bolus, suspendedClinicianBolus] {
        if let b {
          w.bool(true)
          w.byte(b.phase.rawValue)
          w.int(b.dose.rawValue)
          w.int(b.targetNanoliters)
          w.int(b.deliveredNanoliters)
        } else {
          w.bool(false)
        }
      }
      // Grant times inside the last hour (older ones never count again), by ring index.
      w.unsigned(UInt64(grantCursor))
      var recent: [Int] = []
      for i in grantTimes.indices where now - grantTimes[i] < .hours(1) { recent.append(i) }
      w.unsigned(UInt64(recent.count))
      for i in recent {
        w.unsigned(UInt64(i))
        w.ms(grantTimes[i])
      }
      w.optionalInt(lastPatientGrant?.rawValue)
      w.int(bolusDemands)
      w.int(bolusGrants)
      w.int(bolusDenials)
      ledger.encode(into: &w)
      w.int(infusedBaseNanoliters)
      w.ms(flow.windowStart)
      w.ms(flow.lastAccrue)
      w.int(flow.rate.rawValue)
      w.int(flow.commandedScaled)
      w.int(flow.measuredNanoliters)
      w.ms(flow.window)
      w.int(flow.lastMeasuredRate.rawValue)
      for t in vitals.tracks {
        w.int(Int64(t.lastValue))
        w.optionalInt(t.lastSample?.rawValue)
        w.int(Int64(t.warnRun))
        w.int(Int64(t.critRun))
        w.ms(t.warnSince)
        w.ms(t.critSince)
        w.int(Int64(t.direction))
        w.byte(t.confirmed.rawValue)
      }
      vitals.latest.encode(into: &w)
      w.ms(vitals.watchSince)
      w.unsigned(UInt64(alarms.slots.count))
      for s in alarms.slots {
        w.byte((s.active ? 1 : 0) | (s.condition ? 2 : 0) | (s.acknowledged ? 4 : 0))
        w.ms(s.raisedAt)
      }
      w.optionalInt(alarms.audioPausedAt?.rawValue)
      w.optionalInt(alarms.audioPausedUntil?.rawValue)
      w.byte(alarms.pausedAtPriority.rawValue)
      w.int(sensors.upstreamPressure.rawValue)
      w.int(sensors.downstreamPressure.rawValue)
      w.int(sensors.airBubble.rawValue)
      w.bool(sensors.doorOpen)
      w.int(sensors.reservoir.rawValue)
      w.ms(sensors.batteryRemaining)
      w.bool(sensors.onMains)
      w.bool(interlockLatched)
      w.byte(implausibleSensors)
      w.int(occlusionPushedNanoliters)
      w.int(occlusionBatchNanoliters)
      w.bool(occlusionEpisode)
      w.int(occlusionRelease.rawValue)
      w.optionalInt(occlusionReleaseAt?.rawValue)
      w.int(commandedBolusRate.rawValue)
      w.unsigned(UInt64(sequence))
    }

    public init(from r: inout SnapshotReader, profile: HardwareProfile, formulary: Formulary)
      throws(SnapshotError)
    {
      guard try r.byte() == 0x4B, try r.byte() == 0x53 else { throw .invalid }
      let schema = try r.byte()
      guard schema == Self.snapshotSchema else { throw .schema(schema) }
      let rules = try r.unsigned()
      guard rules == UInt64(Self.ruleVersion) else {
        throw .ruleVersion(UInt32(truncatingIfNeeded: rules))
      }
      let origin = try r.ms()
      self.init(profile: profile, formulary: formulary, now: origin)
      now = try r.ms()
      guard now >= origin else { throw .invalid }
      mode = try Mode.decode(from: &r)
      modeSince = try r.ms()
      resumeAfterSelfTest = try r.bool() ? try Mode.decode(from: &r) : nil
      prescription = try r.bool() ? try Prescription.decode(from: &r) : nil
      pending = try r.bool() ? try Prescription.decode(from: &r) : nil
      pendingSoftViolations = UInt32(try r.unsigned(max: UInt64(UInt32.max)))
      policy = try VitalsPolicy.decode(from: &r)
      vitals.keepNormalBounds(of: policy)  // No observer runs in an init.
      basalRate = MicrogramsPerHour(try r.int())
      basalVolumeRate = MicrolitersPerHour(try r.int())
      lastRateIncrease = try r.ms()
      lastBasalInForce = MicrogramsPerHour(try r.int())
      commandedRate = MicrolitersPerHour(try r.int())
      kvoHeld = try r.bool()
      var boluses: [ActiveBolus?] = []
      for _ in 0..<2 {
        if try r.bool() {
          guard let phase = InfusionPhase(rawValue: try r.byte()) else { throw .invalid }
          boluses.append(
            ActiveBolus(
              phase: phase, dose: Micrograms(try r.int()), targetNanoliters: try r.int(),
              deliveredNanoliters: try r.int()))
        } else {
          boluses.append(nil)
        }
      }
      bolus = boluses[0]
      suspendedClinicianBolus = boluses[1]
      let ring = UInt64(grantTimes.count)
      grantCursor = Int(try r.unsigned(max: ring - 1))
      let recent = try r.unsigned(max: ring)
      for _ in 0..<recent {
        let i = Int(try r.unsigned(max: ring - 1))
        grantTimes[i] = try r.ms()
      }
      lastPatientGrant = try r.optionalInt().map { Milliseconds($0) }
      bolusDemands = try r.int()
      bolusGrants = try r.int()
      bolusDenials = try r.int()
      ledger = try DoseLedger(from: &r, stepsPerMilliliter: profile.stepsPerMilliliter)
      infusedBaseNanoliters = try r.int()
      flow.windowStart = try r.ms()
      flow.lastAccrue = try r.ms()
      flow.rate = MicrolitersPerHour(try r.int())
      flow.commandedScaled = try r.int()
      flow.measuredNanoliters = try r.int()
      flow.window = try r.ms()
      flow.lastMeasuredRate = MicrolitersPerHour(try r.int())
      let i32 = Int64(Int32.min)...Int64(Int32.max)
      for i in vitals.tracks.indices {
        vitals.tracks[i].lastValue = Int32(try r.int(i32))
        vitals.tracks[i].lastSample = try r.optionalInt().map { Milliseconds($0) }
        vitals.tracks[i].warnRun = Int32(try r.int(i32))
        vitals.tracks[i].critRun = Int32(try r.int(i32))
        vitals.tracks[i].warnSince = try r.ms()
        vitals.tracks[i].critSince = try r.ms()
        vitals.tracks[i].direction = Int8(try r.int(-1...1))
        guard let level = VitalLevel(rawValue: try r.byte()) else { throw .invalid }
        vitals.tracks[i].confirmed = level
      }
      vitals.latest = try VitalsSample.decode(from: &r)
      vitals.watchSince = try r.ms()
      guard try r.unsigned() == UInt64(alarms.slots.count) else { throw .invalid }
      for i in alarms.slots.indices {
        let flags = try r.byte()
        guard flags < 8 else { throw .invalid }
        alarms.slots[i] = AlarmSystem.Slot(
          active: flags & 1 != 0, condition: flags & 2 != 0, acknowledged: flags & 4 != 0,
          raisedAt: try r.ms())
      }
      alarms.rebuildMasks()
      alarms.audioPausedAt = try r.optionalInt().map { Milliseconds($0) }
      alarms.audioPausedUntil = try r.optionalInt().map { Milliseconds($0) }
      guard let priority = AlarmPriority(rawValue: try r.byte()) else { throw .invalid }
      alarms.pausedAtPriority = priority
      sensors.upstreamPressure = MilliPSI(try r.int())
      sensors.downstreamPressure = MilliPSI(try r.int())
      sensors.airBubble = Microliters(try r.int())
      sensors.doorOpen = try r.bool()
      sensors.reservoir = Microliters(try r.int())
      sensors.batteryRemaining = try r.ms()
      sensors.onMains = try r.bool()
      interlockLatched = try r.bool()
      implausibleSensors = try r.byte()
      occlusionPushedNanoliters = try r.int()
      occlusionBatchNanoliters = try r.int()
      occlusionEpisode = try r.bool()
      occlusionRelease = Microliters(try r.int())
      occlusionReleaseAt = try r.optionalInt().map { Milliseconds($0) }
      commandedBolusRate = MicrolitersPerHour(try r.int())
      sequence = UInt32(try r.unsigned(max: UInt64(UInt32.max)))
    }
  }

  extension DoseLedger {
    /// Totals, segment, window edges and sums, and the non-empty buckets inside the 4-h window.
    func encode(into w: inout SnapshotWriter) {
      w.ms(Milliseconds(origin))
      w.int(totalSteps)
      w.int(totalPicograms)
      w.int(totalNanoliters)
      w.int(segmentSteps)
      w.int(segmentBasePicograms)
      w.int(segmentBaseNanoliters)
      w.int(concentration)
      w.int(lo1h)
      w.int(lo4h)
      w.int(hi)
      w.int(sum1hPicograms)
      w.int(sum4hPicograms)
      w.ms(lastReport)
      var previous = lo4h
      var buckets: [Int64] = []
      var k = lo4h
      while k <= hi {
        if mass(at: k) != 0 { buckets.append(k) }
        k += 1
      }
      w.unsigned(UInt64(buckets.count))
      for k in buckets {
        w.int(k - previous)
        w.int(mass(at: k))
        previous = k
      }
    }

    init(from r: inout SnapshotReader, stepsPerMilliliter: Int64) throws(SnapshotError) {
      let origin = try r.ms()
      self.init(stepsPerMilliliter: stepsPerMilliliter, now: origin)
      totalSteps = try r.int()
      totalPicograms = try r.int()
      totalNanoliters = try r.int()
      segmentSteps = try r.int()
      segmentBasePicograms = try r.int()
      segmentBaseNanoliters = try r.int()
      concentration = try r.int()
      lo1h = try r.int(0...Int64.max / 4)
      lo4h = try r.int(0...lo1h)
      hi = try r.int(lo1h...Int64.max / 4)
      sum1hPicograms = try r.int()
      sum4hPicograms = try r.int()
      lastReport = try r.ms()
      let count = try r.unsigned(max: UInt64(Self.slotCount))
      var k = lo4h
      for _ in 0..<count {
        k += try r.int(0...Int64(Self.slotCount))
        guard k <= hi else { throw .invalid }
        let slot = Int(k % Int64(Self.slotCount))
        tags[slot] = k
        masses[slot] = try r.int()
      }
    }
  }
#endif
