import PumpCore

/// A kind of entry in the pump's event log (`expect logged <kind>`): one per controller
/// effect, each of which the controller logs with its time (`PumpController.log`). Offline the
/// effects themselves are read; online the `LOG` entries, whose text (PumpFirmware's
/// `LogText`) starts with `logPrefix`.
public enum LoggedKind: String, Hashable, Sendable, CaseIterable {
  case motor
  case modeChanged = "mode-changed"
  case alarmRaised = "alarm-raised"
  case alarmAcknowledged = "alarm-acknowledged"
  case alarmCleared = "alarm-cleared"
  case audioPaused = "audio-paused"
  case audioPauseBroken = "audio-pause-broken"
  case programAccepted = "program-accepted"
  case softLimitsConfirmed = "soft-limits-confirmed"
  case basalRateChanged = "basal-rate-changed"
  case bolusGranted = "bolus-granted"
  case bolusDenied = "bolus-denied"
  case bolusStarted = "bolus-started"
  case bolusCompleted = "bolus-completed"
  case bolusAborted = "bolus-aborted"
  case vitalsArtifact = "vitals-artifact"
  case interlockReset = "interlock-reset"
  case occlusionReleased = "occlusion-released"
  case rejected

  /// The names in trace spelling.
  public static let table: [(String, LoggedKind)] = allCases.map { ($0.rawValue, $0) }

  public init(_ e: Effect) {
    switch e {
    case .motor: self = .motor
    case .modeChanged: self = .modeChanged
    case .alarmRaised: self = .alarmRaised
    case .alarmAcknowledged: self = .alarmAcknowledged
    case .alarmCleared: self = .alarmCleared
    case .audioPaused: self = .audioPaused
    case .audioPauseBroken: self = .audioPauseBroken
    case .programAccepted: self = .programAccepted
    case .softLimitsConfirmed: self = .softLimitsConfirmed
    case .basalRateChanged: self = .basalRateChanged
    case .bolusGranted: self = .bolusGranted
    case .bolusDenied: self = .bolusDenied
    case .bolusStarted: self = .bolusStarted
    case .bolusCompleted: self = .bolusCompleted
    case .bolusAborted: self = .bolusAborted
    case .vitalsArtifact: self = .vitalsArtifact
    case .interlockReset: self = .interlockReset
    case .occlusionReleased: self = .occlusionReleased
    case .rejected: self = .rejected
    }
  }

  /// How a `LOG` entry's text of this kind starts (PumpFirmware's `LogText.text`).
  public var logPrefix: String {
    switch self {
    case .motor: "motor "
    case .modeChanged: "mode "
    case .alarmRaised: "alarm raised "
    case .alarmAcknowledged: "alarm acknowledged "
    case .alarmCleared: "alarm cleared "
    case .audioPaused: "audio paused "
    case .audioPauseBroken: "audio pause broken"
    case .programAccepted: "program accepted"
    case .softLimitsConfirmed: "soft limits confirmed"
    case .basalRateChanged: "basal rate "
    case .bolusGranted: "bolus granted"
    case .bolusDenied: "bolus denied"
    case .bolusStarted: "bolus started"
    case .bolusCompleted: "bolus completed"
    case .bolusAborted: "bolus aborted"
    case .vitalsArtifact: "vitals artifact"
    case .interlockReset: "interlock reset"
    case .occlusionReleased: "occlusion released"
    case .rejected: "rejected "
    }
  }

  /// The kind of a `LOG` entry's text (after `#seq t=ms `), or nil.
  public init?(logText: String) {
    guard let k = LoggedKind.allCases.first(where: { logText.hasPrefix($0.logPrefix) }) else {
      return nil
    }
    self = k
  }
}
