import PumpCore

/// The names traces and reports use for PumpCore's enums: lowercase words joined by '-'.
/// Parsing ignores case, '-' and '_' (`door-open`, `DoorOpen` and `door_open` are one name).
public enum TraceNames {
  public static let alarms: [(String, AlarmCode)] = [
    ("vitals-warning", .vitalsWarning), ("vitals-interlock", .vitalsInterlock),
    ("vitals-stale", .vitalsStale), ("occlusion-downstream", .occlusionDownstream),
    ("occlusion-upstream", .occlusionUpstream), ("air-in-line", .airInLine),
    ("door-open", .doorOpen), ("reservoir-low", .reservoirLow),
    ("reservoir-empty", .reservoirEmpty), ("battery-low", .batteryLow),
    ("battery-depleted", .batteryDepleted), ("over-infusion", .overInfusion),
    ("under-infusion", .underInfusion), ("dose-limit", .doseLimit),
    ("paused-too-long", .pausedTooLong), ("infusion-complete", .infusionComplete),
    ("host-link-lost", .hostLinkLost), ("self-test-failure", .selfTestFailure),
    ("watchdog", .watchdog), ("software-fault", .softwareFault),
    ("sensor-failure", .sensorFailure),
  ]

  public static let priorities: [(String, AlarmPriority)] = [
    ("high", .high), ("medium", .medium), ("low", .low), ("info", .info),
  ]

  public static let denials: [(String, BolusDenial)] = [
    ("not-infusing", .notInfusing), ("lockout", .lockout), ("max-per-hour", .maxPerHour),
    ("vitals-warning", .vitalsWarning), ("limit-1h", .limit1h), ("limit-4h", .limit4h),
    ("bolus-in-progress", .bolusInProgress), ("no-bolus-programmed", .noBolusProgrammed),
    ("reservoir", .reservoir),
  ]

  public static let rejections: [(String, Rejection)] = [
    ("not-allowed-in-mode", .notAllowedInMode), ("hard-limit", .hardLimit),
    ("no-pending-confirmation", .noPendingConfirmation),
    ("soft-limit-unconfirmed", .softLimitUnconfirmed), ("invalid-value", .invalidValue),
    ("alarm-condition-present", .alarmConditionPresent),
    ("interlock-condition-present", .interlockConditionPresent),
    ("not-silenceable", .notSilenceable), ("nothing-to-acknowledge", .nothingToAcknowledge),
    ("rate-increase-too-soon", .rateIncreaseTooSoon), ("dose-limit", .doseLimit),
    ("vitals-stale", .vitalsStale), ("faulted", .faulted),
    ("unknown-drug-entry", .unknownDrugEntry), ("care-area-mismatch", .careAreaMismatch),
    ("bolus-in-progress", .bolusInProgress), ("nothing-to-reset", .nothingToReset),
  ]

  public static let phases: [(String, InfusionPhase)] = [
    ("basal", .basal), ("loading", .loadingDose), ("patient-bolus", .patientBolus),
    ("clinician-bolus", .clinicianBolus),
  ]

  public static let pauseReasons: [(String, PauseReason)] = [
    ("clinician", .clinician), ("alarm", .alarm), ("power-cycle", .powerCycle),
    ("interlock-reset", .interlockReset),
  ]

  public static let faults: [(String, FaultCode)] = [
    ("self-test", .selfTest), ("watchdog", .watchdog), ("software", .software),
    ("sensor", .sensor), ("journal", .journal), ("motor", .motor),
  ]

  public static let careAreas: [(String, CareArea)] = [
    ("acute-post-op", .acutePostOp), ("chronic-pain", .chronicPain),
    ("paediatric", .paediatric),
  ]

  public static let vitals: [(String, Vital)] = [
    ("SBP", .sbp), ("DBP", .dbp), ("HR", .hr), ("SpO2", .spo2), ("RR", .rr),
  ]

  /// The name of a value in `table`.
  public static func name<T: Equatable>(_ value: T, in table: [(String, T)]) -> String {
    table.first(where: { $0.1 == value })?.0 ?? "?"
  }

  public static func name(_ a: AlarmCode) -> String { name(a, in: alarms) }
  public static func name(_ p: AlarmPriority) -> String { name(p, in: priorities) }
  public static func name(_ d: BolusDenial) -> String { name(d, in: denials) }
  public static func name(_ r: Rejection) -> String { name(r, in: rejections) }

  /// A mode as a trace writes it: `infusing(basal)`, `paused(alarm)`, `interlock-stopped`.
  public static func name(_ m: Mode) -> String {
    switch m {
    case .selfTest: "self-test"
    case .idle: "idle"
    case .programmed: "programmed"
    case .infusing(let p): "infusing(\(name(p, in: phases)))"
    case .paused(let r): "paused(\(name(r, in: pauseReasons)))"
    case .kvo: "kvo"
    case .complete: "complete"
    case .interlockStopped: "interlock-stopped"
    case .fault(let f): "fault(\(name(f, in: faults)))"
    }
  }

  public static func name(_ m: ModePattern) -> String {
    switch m {
    case .selfTest: "self-test"
    case .idle: "idle"
    case .programmed: "programmed"
    case .infusing(let p): p.map { "infusing(\(name($0, in: phases)))" } ?? "infusing"
    case .paused(let r): r.map { "paused(\(name($0, in: pauseReasons)))" } ?? "paused"
    case .kvo: "kvo"
    case .complete: "complete"
    case .interlockStopped: "interlock-stopped"
    case .fault(let f): f.map { "fault(\(name($0, in: faults)))" } ?? "fault"
    }
  }

  /// Looks `word` up in `table`, ignoring case, '-' and '_'.
  public static func lookup<T>(_ word: String, in table: [(String, T)]) -> T? {
    let key = fold(word)
    return table.first(where: { fold($0.0) == key })?.1
  }

  /// The names of `table`, comma-separated, for error messages.
  public static func list<T>(_ table: [(String, T)]) -> String {
    table.map(\.0).joined(separator: ", ")
  }

  static func fold(_ s: String) -> String {
    String(s.lowercased().unicodeScalars.filter { $0 != "-" && $0 != "_" })
  }
}
