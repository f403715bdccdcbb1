// The event and fault logs as bytes. Host builds only: the logs are a record of what happened,
// not safety state, and an MCU keeps them in a flash ring of their own (the Embedded build's
// text budget is for the rules). `PumpRig.snapshot()` carries them, so a restored simulator
// answers LOG exactly as before the power loss.
#if !hasFeature(Embedded) || KETAPUMP_EMBEDDED_SNAPSHOT
  extension PumpController {
    /// The event log and fault log, oldest entry first.
    public func logSnapshot() -> [UInt8] {
      var w = SnapshotWriter(capacity: 4096)
      log.encode(into: &w)
      faultLog.encode(into: &w)
      return w.bytes
    }

    /// Replaces the logs with those `logSnapshot()` captured.
    public mutating func restoreLogs(_ bytes: [UInt8]) throws(SnapshotError) {
      var r = SnapshotReader(bytes)
      let l = try EventLog(from: &r)
      let f = try EventLog(from: &r)
      try r.end()
      log = l
      faultLog = f
    }
  }

  extension EventLog {
    func encode(into w: inout SnapshotWriter) {
      w.unsigned(UInt64(capacity))
      w.unsigned(UInt64(total))
      w.unsigned(UInt64(count))
      var previous: Int64 = 0
      for i in 0..<count {
        let e = self[i]
        w.unsigned(UInt64(e.sequence))
        w.int(e.time.rawValue - previous)
        previous = e.time.rawValue
        e.effect.encode(into: &w)
      }
    }

    init(from r: inout SnapshotReader) throws(SnapshotError) {
      let capacity = Int64(try r.unsigned(max: 1_000_000))
      guard capacity > 0 else { throw .invalid }
      self.init(capacity: Int(capacity))
      let total = UInt32(try r.unsigned(max: UInt64(UInt32.max)))
      let count = try r.unsigned(max: UInt64(capacity))
      var previous: Int64 = 0
      for _ in 0..<count {
        let sequence = UInt32(try r.unsigned(max: UInt64(UInt32.max)))
        previous += try r.int()
        append(
          LogEntry(
            sequence: sequence, time: Milliseconds(previous), effect: try Effect.decode(from: &r)))
      }
      self.total = total
    }
  }

  extension Effect {
    public func encode(into w: inout SnapshotWriter) {
      switch self {
      case .motor(let r):
        w.byte(1)
        w.int(r.rawValue)
      case .modeChanged(let from, let to, let reason):
        w.byte(2)
        from.encode(into: &w)
        to.encode(into: &w)
        w.byte(reason.rawValue)
      case .alarmRaised(let c):
        w.byte(3)
        w.byte(c.rawValue)
      case .alarmAcknowledged(let c):
        w.byte(4)
        w.byte(c.rawValue)
      case .alarmCleared(let c):
        w.byte(5)
        w.byte(c.rawValue)
      case .audioPaused(let until):
        w.byte(6)
        w.ms(until)
      case .audioPauseBroken(let c):
        w.byte(7)
        w.byte(c.rawValue)
      case .programAccepted(let confirm, let soft):
        w.byte(8)
        w.bool(confirm)
        w.unsigned(UInt64(soft))
      case .softLimitsConfirmed(let soft):
        w.byte(9)
        w.unsigned(UInt64(soft))
      case .basalRateChanged(let r):
        w.byte(10)
        w.int(r.rawValue)
      case .bolusGranted(let d, let lockout):
        w.byte(11)
        w.int(d.rawValue)
        w.ms(lockout)
      case .bolusDenied(let why, let remaining):
        w.byte(12)
        w.byte(why.rawValue)
        w.ms(remaining)
      case .bolusStarted(let p, let d):
        w.byte(13)
        w.byte(p.rawValue)
        w.int(d.rawValue)
      case .bolusCompleted(let p):
        w.byte(14)
        w.byte(p.rawValue)
      case .bolusAborted(let p, let remaining):
        w.byte(15)
        w.byte(p.rawValue)
        w.int(remaining.rawValue)
      case .vitalsArtifact(let v, let value):
        w.byte(16)
        w.byte(v.rawValue)
        w.int(Int64(value))
      case .interlockReset:
        w.byte(17)
      case .occlusionReleased(let v):
        w.byte(18)
        w.int(v.rawValue)
      case .rejected(let kind, let why):
        w.byte(19)
        w.byte(kind.rawValue)
        w.byte(why.rawValue)
      }
    }

    public static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> Effect {
      func alarm(_ r: inout SnapshotReader) throws(SnapshotError) -> AlarmCode {
        guard let c = AlarmCode(rawValue: try r.byte()) else { throw .invalid }
        return c
      }
      func phase(_ r: inout SnapshotReader) throws(SnapshotError) -> InfusionPhase {
        guard let p = InfusionPhase(rawValue: try r.byte()) else { throw .invalid }
        return p
      }
      let u32 = UInt64(UInt32.max)
      switch try r.byte() {
      case 1: return .motor(MicrolitersPerHour(try r.int()))
      case 2:
        let from = try Mode.decode(from: &r)
        let to = try Mode.decode(from: &r)
        guard let reason = ModeReason(rawValue: try r.byte()) else { throw .invalid }
        return .modeChanged(from: from, to: to, reason: reason)
      case 3: return .alarmRaised(try alarm(&r))
      case 4: return .alarmAcknowledged(try alarm(&r))
      case 5: return .alarmCleared(try alarm(&r))
      case 6: return .audioPaused(until: try r.ms())
      case 7: return .audioPauseBroken(by: try alarm(&r))
      case 8:
        return .programAccepted(
          needsConfirmation: try r.bool(), softViolations: UInt32(try r.unsigned(max: u32)))
      case 9: return .softLimitsConfirmed(UInt32(try r.unsigned(max: u32)))
      case 10: return .basalRateChanged(MicrogramsPerHour(try r.int()))
      case 11: return .bolusGranted(Micrograms(try r.int()), lockout: try r.ms())
      case 12:
        guard let why = BolusDenial(rawValue: try r.byte()) else { throw .invalid }
        return .bolusDenied(why, lockoutRemaining: try r.ms())
      case 13: return .bolusStarted(try phase(&r), Micrograms(try r.int()))
      case 14: return .bolusCompleted(try phase(&r))
      case 15: return .bolusAborted(try phase(&r), remaining: Micrograms(try r.int()))
      case 16:
        guard let v = Vital(rawValue: try r.byte()) else { throw .invalid }
        return .vitalsArtifact(v, Int32(try r.int(Int64(Int32.min)...Int64(Int32.max))))
      case 17: return .interlockReset
      case 18: return .occlusionReleased(Microliters(try r.int()))
      case 19:
        guard let kind = EventKind(rawValue: try r.byte()),
          let why = Rejection(rawValue: try r.byte())
        else { throw .invalid }
        return .rejected(kind, why)
      default: throw .invalid
      }
    }
  }
#endif
