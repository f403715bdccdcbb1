/// The state of every alarm (IEC 60601-1-8 behaviour). A fixed table indexed by `AlarmCode`;
/// no allocation after init.
///
/// - An alarm is raised when its condition appears. A non-latching alarm clears when the
///   condition goes; a latching one only when it is acknowledged AND the condition is gone.
/// - Audio pause lasts at most the profile's maximum (≤ 120 s) and is refused while a
///   non-silenceable alarm is active; a newly raised alarm of higher priority than any active at
///   the time of the pause, or any non-silenceable one, breaks through.
public struct AlarmSystem: Sendable {
  public struct Slot: Equatable, Sendable {
    public var active = false
    public var condition = false
    public var acknowledged = false
    public var raisedAt: Milliseconds = .zero
  }

  /// One slot per raw value up to the largest code, derived from `AlarmCode.allCases` (a new
  /// code can never index past the table; REQ-ALARM-SLOTS-01).
  static var slotCount: Int {
    var m = 0
    for c in AlarmCode.allCases where Int(c.rawValue) > m { m = Int(c.rawValue) }
    return m + 1
  }
  public internal(set) var slots = [Slot](repeating: Slot(), count: AlarmSystem.slotCount)
  /// Bit `raw value` set while that alarm is active: kept in step with `slots[i].active` by
  /// `set` and `acknowledge` (the only places that change it; a snapshot restore that writes
  /// `slots` calls `rebuildMasks()`), so the per-step questions
  /// (`anyActive`, `audible`, `highestActive`) look at the active alarms only, not every slot.
  /// Codes stay below 64 (REQ-ALARM-SLOTS-01 checks it).
  #if hasFeature(Embedded)
    var activeMask: UInt64 = 0
  #else
    // (Host builds: read by `anyAlarmActive`, inlined into the safety checker; not in the
    // firmware image, where it would export the field's accessors.)
    @usableFromInline var activeMask: UInt64 = 0
  #endif
  /// Bit `raw value` set while that alarm's condition is present (`slots[i].condition`), so
  /// the controller skips unchanged conditions without touching the table (`isUnchanged`).
  var conditionMask: UInt64 = 0
  /// When the running audio pause began (nil: none running).
  public internal(set) var audioPausedAt: Milliseconds? = nil
  public internal(set) var audioPausedUntil: Milliseconds? = nil
  var pausedAtPriority: AlarmPriority = .info

  public init() {}

  /// Recomputes `activeMask` and `conditionMask` from `slots` (after a snapshot restore).
  mutating func rebuildMasks() {
    activeMask = 0
    conditionMask = 0
    for i in slots.indices {
      if slots[i].active { activeMask |= Self.bit(i) }
      if slots[i].condition { conditionMask |= Self.bit(i) }
    }
  }

  /// The mask bit of slot `i`.
  @inline(__always) static func bit(_ i: Int) -> UInt64 { UInt64(1) << UInt64(i) }

  /// True when `code`'s condition is already `present`: `set` would do nothing.
  @inline(__always) func isUnchanged(_ code: AlarmCode, _ present: Bool) -> Bool {
    (conditionMask & Self.bit(Int(code.rawValue)) != 0) == present
  }

  public subscript(code: AlarmCode) -> Slot { slots[Int(code.rawValue)] }

  public func isActive(_ code: AlarmCode) -> Bool { slots[Int(code.rawValue)].active }

  /// What `set` did.
  enum Transition: Equatable {
    case none
    case raised(brokeAudioPause: Bool)
    case cleared
  }

  /// Sets an alarm's condition: raises it when the condition appears, clears it when the
  /// condition goes (latching alarms: only once acknowledged).
  mutating func set(_ code: AlarmCode, _ present: Bool, now: Milliseconds) -> Transition {
    let i = Int(code.rawValue)
    // Called for every alarm on every control step: an unchanged condition changes nothing.
    if present == slots[i].condition { return .none }
    let props = code.properties
    if present {
      slots[i].condition = true
      conditionMask |= Self.bit(i)
      if !slots[i].active {
        slots[i].active = true
        activeMask |= Self.bit(i)
        slots[i].raisedAt = now
        slots[i].acknowledged = false
        // IEC 60601-1-8 leaves it to us: a new alarm condition of the same or higher priority
        // than the one silenced has not been heard by anyone, so it breaks the pause
        // (REQ-ALARM-BREAKTHROUGH-02, docs/alarms.md); a lower-priority one waits.
        if audioPausedUntil != nil && (!props.silenceable || props.priority >= pausedAtPriority) {
          audioPausedUntil = nil
          audioPausedAt = nil
          return .raised(brokeAudioPause: true)
        }
        return .raised(brokeAudioPause: false)
      }
      // A latched alarm whose condition returned is annunciated again.
      slots[i].acknowledged = false
    } else {
      slots[i].condition = false
      conditionMask &= ~Self.bit(i)
      if slots[i].active && (!props.latching || slots[i].acknowledged) {
        slots[i].active = false
        activeMask &= ~Self.bit(i)
        return .cleared
      }
    }
    return .none
  }

  /// Acknowledges one alarm; returns (was newly acknowledged, was cleared because its
  /// condition is gone).
  mutating func acknowledge(_ code: AlarmCode) -> (acknowledged: Bool, cleared: Bool) {
    let i = Int(code.rawValue)
    guard slots[i].active else { return (false, false) }
    let newly = !slots[i].acknowledged
    slots[i].acknowledged = true
    if !slots[i].condition {
      slots[i].active = false
      activeMask &= ~Self.bit(i)
      return (newly, true)
    }
    return (newly, false)
  }

  mutating func pauseAudio(now: Milliseconds, for duration: Milliseconds) -> Rejection? {
    guard let top = highestActive else { return .nothingToAcknowledge }
    var m = activeMask
    while m != 0 {
      let i = m.trailingZeroBitCount
      m &= m - 1
      if let c = AlarmCode(rawValue: UInt8(i)), !c.properties.silenceable { return .notSilenceable }
    }
    audioPausedUntil = now + duration
    audioPausedAt = now
    pausedAtPriority = top.priority
    return nil
  }

  mutating func expireAudioPause(now: Milliseconds) {
    if let u = audioPausedUntil, now >= u {
      audioPausedUntil = nil
      audioPausedAt = nil
    }
  }

  /// The alarm annunciated: highest priority, then earliest raised.
  public var highestActive: AlarmCode? {
    var best: AlarmCode? = nil
    var bestSlot = Slot()
    var m = activeMask
    while m != 0 {
      let i = m.trailingZeroBitCount
      m &= m - 1
      guard let c = AlarmCode(rawValue: UInt8(i)) else { continue }
      if let b = best {
        if c.priority > b.priority
          || (c.priority == b.priority && slots[i].raisedAt < bestSlot.raisedAt)
        {
          best = c
          bestSlot = slots[i]
        }
      } else {
        best = c
        bestSlot = slots[i]
      }
    }
    return best
  }

  /// True when an unacknowledged active alarm sounds (not silenced by an audio pause, unless it
  /// is non-silenceable).
  public func audible(now: Milliseconds) -> Bool {
    let paused = audioPausedUntil.map { now < $0 } ?? false
    var m = activeMask
    while m != 0 {
      let i = m.trailingZeroBitCount
      m &= m - 1
      guard !slots[i].acknowledged, let c = AlarmCode(rawValue: UInt8(i)) else { continue }
      if !paused || !c.properties.silenceable { return true }
    }
    return false
  }

  /// True when any active alarm demands `action`.
  public func anyActive(action: AlarmAction) -> Bool {
    var m = activeMask
    while m != 0 {
      let i = m.trailingZeroBitCount
      m &= m - 1
      if let c = AlarmCode(rawValue: UInt8(i)), c.action == action { return true }
    }
    return false
  }

  #if !hasFeature(Embedded)
    /// True when any alarm is active: one mask test, inlinable so that a checker outside
    /// PumpCore (`SafetyInvariants`) passes over `anyActive(action:)` when none is.
    @inlinable public var anyAlarmActive: Bool { activeMask != 0 }
  #endif

  /// Active alarm codes, for status and tools.
  public var activeCodes: [AlarmCode] {
    var out: [AlarmCode] = []
    var m = activeMask
    while m != 0 {
      let i = m.trailingZeroBitCount
      m &= m - 1
      if let c = AlarmCode(rawValue: UInt8(i)) { out.append(c) }
    }
    return out
  }
}
