/// Alarm priority (IEC 60601-1-8). Wire value: the raw value.
public enum AlarmPriority: UInt8, Hashable, Comparable, Sendable {
  case info = 0
  case low = 1
  case medium = 2
  case high = 3
  public static func < (a: AlarmPriority, b: AlarmPriority) -> Bool { a.rawValue < b.rawValue }
}

/// What the pump does while an alarm is active.
public enum AlarmAction: UInt8, Hashable, Sendable {
  /// Annunciate only.
  case warn = 0
  /// Drop to the keep-vein-open rate.
  case kvo = 1
  /// Stop delivery (paused, or interlock-stopped for vitals).
  case stop = 2
  /// Fail-safe fault: motor off until power cycle.
  case fault = 3
}

/// Every alarm the controller raises. Wire value: the raw value. `AlarmCode.table` is the one
/// place that maps each to its priority, action, latching and silencing (docs/alarms.md).
public enum AlarmCode: UInt8, Hashable, Sendable, CaseIterable {
  case vitalsWarning = 1
  case vitalsInterlock = 2
  case vitalsStale = 3
  case occlusionDownstream = 10
  case occlusionUpstream = 11
  case airInLine = 12
  case doorOpen = 13
  case reservoirLow = 14
  case reservoirEmpty = 15
  case batteryLow = 16
  case batteryDepleted = 17
  case overInfusion = 18
  case underInfusion = 19
  case doseLimit = 20
  case pausedTooLong = 21
  case infusionComplete = 22
  case hostLinkLost = 23
  case linkSecurity = 24
  case selfTestFailure = 30
  case watchdog = 31
  case softwareFault = 32
  case sensorFailure = 33

  public struct Properties: Hashable, Sendable {
    public var priority: AlarmPriority
    public var action: AlarmAction
    /// Latched alarms clear only when acknowledged AND the condition is gone.
    public var latching: Bool
    /// False for uncontrolled infusion and software faults: audio pause refused.
    public var silenceable: Bool
  }

  /// The alarm → priority → action table. Sources: REFERENCE.md (Open PCA alarm→action, UMN
  /// levels, IEC 60601-1-8); deviations are explained in docs/alarms.md.
  public var properties: Properties {
    switch self {
    case .vitalsWarning:
      Properties(priority: .medium, action: .warn, latching: false, silenceable: true)
    case .vitalsStale:
      Properties(priority: .medium, action: .warn, latching: false, silenceable: true)
    case .vitalsInterlock:
      Properties(priority: .high, action: .stop, latching: true, silenceable: true)
    case .occlusionDownstream:
      Properties(priority: .high, action: .stop, latching: true, silenceable: true)
    case .occlusionUpstream:
      Properties(priority: .high, action: .stop, latching: true, silenceable: true)
    case .airInLine: Properties(priority: .high, action: .stop, latching: true, silenceable: true)
    case .doorOpen: Properties(priority: .high, action: .stop, latching: true, silenceable: true)
    case .reservoirLow:
      Properties(priority: .medium, action: .warn, latching: false, silenceable: true)
    case .reservoirEmpty:
      Properties(priority: .high, action: .stop, latching: true, silenceable: true)
    case .batteryLow:
      Properties(priority: .medium, action: .warn, latching: false, silenceable: true)
    case .batteryDepleted:
      Properties(priority: .high, action: .stop, latching: true, silenceable: true)
    case .overInfusion:
      Properties(priority: .high, action: .stop, latching: true, silenceable: false)
    case .underInfusion:
      Properties(priority: .low, action: .warn, latching: false, silenceable: true)
    case .doseLimit: Properties(priority: .medium, action: .kvo, latching: false, silenceable: true)
    case .pausedTooLong:
      Properties(priority: .low, action: .warn, latching: false, silenceable: true)
    case .infusionComplete:
      Properties(priority: .low, action: .warn, latching: true, silenceable: true)
    case .hostLinkLost:
      Properties(priority: .low, action: .warn, latching: false, silenceable: true)
    case .linkSecurity:
      Properties(priority: .low, action: .warn, latching: false, silenceable: true)
    case .selfTestFailure:
      Properties(priority: .high, action: .fault, latching: true, silenceable: false)
    case .watchdog: Properties(priority: .high, action: .fault, latching: true, silenceable: false)
    case .softwareFault:
      Properties(priority: .high, action: .fault, latching: true, silenceable: false)
    case .sensorFailure:
      Properties(priority: .high, action: .fault, latching: true, silenceable: false)
    }
  }

  public var priority: AlarmPriority { properties.priority }
  public var action: AlarmAction { properties.action }
}

/// Fault causes for the fail-safe fault mode. Wire value: the raw value.
public enum FaultCode: UInt8, Hashable, Sendable {
  case selfTest = 1
  case watchdog = 2
  case software = 3
  case sensor = 4
  case journal = 5
  case motor = 6
  /// The journal was written by another schema or rule version (`PumpController.ruleVersion`):
  /// refused, never re-interpreted (issue 13).
  case journalVersion = 7

  var alarm: AlarmCode {
    switch self {
    case .selfTest: .selfTestFailure
    case .watchdog: .watchdog
    case .software, .journal, .motor, .journalVersion: .softwareFault
    case .sensor: .sensorFailure
    }
  }
}
