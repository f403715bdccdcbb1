import PumpCore

/// The one table of names for PumpCore's enums — modes, alarms, priorities, reasons, care areas,
/// vitals, event kinds — shared by the wire's text forms, pumpmon (text and JSON), the firmware's
/// event log, traces and reports (`TraceNames` is this type). Lowercase words joined by `-`
/// (vitals as monitors print them), so a name seen in pumpmon or a LOG line pastes into a trace.
/// Lookups ignore case, `-` and `_`. Drug names come from the signed drug library itself.
public enum WireNames {
  /// Alarm names, e.g. `occlusion-downstream`.
  public static let alarms: [(String, AlarmCode)] = [
    ("vitals-warning", .vitalsWarning), ("vitals-interlock", .vitalsInterlock),
    ("vitals-stale", .vitalsStale), ("occlusion-downstream", .occlusionDownstream),
    ("occlusion-upstream", .occlusionUpstream), ("air-in-line", .airInLine),
    ("door-open", .doorOpen), ("reservoir-low", .reservoirLow),
    ("reservoir-empty", .reservoirEmpty), ("battery-low", .batteryLow),
    ("battery-depleted", .batteryDepleted), ("over-infusion", .overInfusion),
    ("under-infusion", .underInfusion), ("dose-limit", .doseLimit),
    ("paused-too-long", .pausedTooLong), ("infusion-complete", .infusionComplete),
    ("host-link-lost", .hostLinkLost), ("link-security", .linkSecurity),
    ("self-test-failure", .selfTestFailure),
    ("watchdog", .watchdog), ("software-fault", .softwareFault),
    ("sensor-failure", .sensorFailure),
  ]

  /// Bolus denial reasons, e.g. `lockout`.
  public static let denials: [(String, BolusDenial)] = [
    ("not-infusing", .notInfusing), ("lockout", .lockout), ("max-per-hour", .maxPerHour),
    ("vitals-warning", .vitalsWarning), ("limit-1h", .limit1h), ("limit-4h", .limit4h),
    ("bolus-in-progress", .bolusInProgress), ("no-bolus-programmed", .noBolusProgrammed),
    ("reservoir", .reservoir),
  ]

  /// Controller rejections (NAK 14 details), e.g. `not-allowed-in-mode`.
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

  /// Care areas, e.g. `acute-post-op`.
  public static let careAreas: [(String, CareArea)] = [
    ("acute-post-op", .acutePostOp), ("chronic-pain", .chronicPain), ("paediatric", .paediatric),
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

  /// Every fault's name: the injectable ones (`faults`) and `journal-version`, which only the
  /// firmware raises (a journal of another version, issue 13).
  public static let allFaults: [(String, FaultCode)] =
    faults + [("journal-version", .journalVersion)]

  /// The name of `value` in `table`, `?` if absent.
  public static let priorities: [(String, AlarmPriority)] = [
    ("high", .high), ("medium", .medium), ("low", .low), ("info", .info),
  ]

  /// Vital-sign names as monitors, traces and vitals lines write them (lookup ignores case).
  public static let vitals: [(String, Vital)] = [
    ("SBP", .sbp), ("DBP", .dbp), ("HR", .hr), ("SpO2", .spo2), ("RR", .rr),
  ]

  /// Why the mode changed (event log, trace observations).
  public static let modeReasons: [(String, ModeReason)] = [
    ("command", .command), ("self-test-passed", .selfTestPassed), ("alarm", .alarm),
    ("dose-limit", .doseLimit), ("dose-limit-cleared", .doseLimitCleared),
    ("vtbi-reached", .vtbiReached), ("interlock", .interlock),
    ("interlock-reset", .interlockReset), ("fault", .fault), ("bolus-finished", .bolusFinished),
    ("restored", .restored),
  ]

  /// What kind of input an event-log line speaks of: the trace's verb where there is one
  /// (`press`, `rate`, `ack`, `silence`, `reset`, `link`).
  public static let eventKinds: [(String, EventKind)] = [
    ("program", .program), ("confirm", .confirmSoftLimits), ("start", .start),
    ("pause", .pause), ("resume", .resume), ("stop", .stop), ("rate", .changeBasalRate),
    ("press", .patientBolusRequest), ("clinician-bolus", .clinicianBolus),
    ("vitals", .vitals), ("sensor", .sensor), ("ack", .acknowledgeAlarms),
    ("silence", .audioPause), ("self-test", .selfTestResult), ("reset", .clinicianReset),
    ("link", .hostLink), ("fault", .fault), ("tick", .tick), ("link-security", .linkSecurity),
  ]

  public static func name<T: Equatable>(_ value: T, in table: [(String, T)]) -> String {
    table.first(where: { $0.1 == value })?.0 ?? "?"
  }

  public static func name(_ a: AlarmCode) -> String { name(a, in: alarms) }
  public static func name(_ d: BolusDenial) -> String { name(d, in: denials) }
  public static func name(_ r: Rejection) -> String { name(r, in: rejections) }

  /// `high`, `medium`, `low`, `info`.
  public static func name(_ p: AlarmPriority) -> String { name(p, in: priorities) }
  public static func name(_ v: Vital) -> String { name(v, in: vitals) }
  public static func name(_ r: ModeReason) -> String { name(r, in: modeReasons) }
  public static func name(_ k: EventKind) -> String { name(k, in: eventKinds) }
  public static func name(_ p: InfusionPhase) -> String { name(p, in: phases) }
  public static func name(_ c: CareArea) -> String { name(c, in: careAreas) }

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
    case .fault(let f): "fault(\(name(f, in: allFaults)))"
    }
  }

  /// Looks `word` up in `table`, ignoring case, `-` and `_`.
  /// The vitals a bit mask names (bit n = `Vital(rawValue: n)`): `SBP,HR`, `-` for none.
  public static func vitalsMask(_ mask: UInt8) -> String {
    let on = vitals.filter { mask & (1 << $0.1.rawValue) != 0 }.map(\.0)
    return on.isEmpty ? "-" : on.joined(separator: ",")
  }

  public static func lookup<T>(_ word: some StringProtocol, in table: [(String, T)]) -> T? {
    let key = fold(word)
    return table.first(where: { fold($0.0) == key })?.1
  }

  /// The names of `table`, comma-separated, for messages.
  public static func list<T>(_ table: [(String, T)]) -> String {
    table.map(\.0).joined(separator: ", ")
  }

  public static func fold(_ s: some StringProtocol) -> String {
    String(s.lowercased().unicodeScalars.filter { $0 != "-" && $0 != "_" })
  }

  /// A NAK as one line for users: `NAK 15 bolus-denied (lockout): lockout 420000 ms`, naming
  /// the rejection or denial reason when the code carries one.
  public static func describe(_ n: Nak) -> String {
    var why = ""
    switch n.code {
    case .rejected:
      if let r = Rejection(rawValue: UInt8(clamping: n.detail)) { why = " (\(name(r)))" }
    case .bolusDenied:
      if let d = BolusDenial(rawValue: UInt8(clamping: n.detail)) { why = " (\(name(d)))" }
    default: break
    }
    let code = n.code.rawValue < 10 ? "0\(n.code.rawValue)" : "\(n.code.rawValue)"
    return "NAK \(code) \(n.code.name)\(why): \(n.reason)"
  }
}
