import PumpCore
import PumpHardware
import PumpProtocol

/// Runs a trace on the same `PumpController` and `SimulatedHardware` as pumpsim, coupled by
/// `PumpRig`, in virtual time. Event-driven: between actions the rig steps only at the
/// instants the controller or hardware has work scheduled, so a quiet day costs nothing.
///
/// It steps exactly as the firmware's `PumpMachine` does (docs/TRACES.md, "Online replay"):
/// each input at `t` after `PumpRig.advance(to: t)` (deadlines, then one step at `t`), time
/// between inputs with `PumpRig.catchUp` (deadlines only); hardware injections change the
/// simulated hardware and are read by a control step at the same instant. So offline and
/// online replay of a trace give the same observations. Delivered totals are sampled where
/// `OnlineDriver` asks STATUS: at each instant of interest (`advance(to:)`), after each action
/// but a quiet vitals sample (no event the pump would send since the last sample), at the end.
public struct OfflineDriver: TraceDriver {
  public private(set) var rig: PumpRig
  public private(set) var powered = true
  private let prescription: Prescription
  /// The safety invariants and the sampling state, updated by the observer at every controller
  /// call (behind a reference, see `Checks`).
  private var checks = Checks()
  /// The first invariant the replay broke, if any: the trace fails whatever it expected.
  public var violation: SafetyInvariants.Violation? { checks.violation }

  /// The pump's state captured at the last power loss (`PumpRig.snapshot()`, the journal's
  /// snapshot bytes): power-on restores the pump from these bytes, not from the rig left
  /// standing (docs/TRACES.md, "Power loss").
  public private(set) var journal: [UInt8]?
  /// Hardware changes made while the pump was off, applied to the restored pump at power-on.
  private var injectedWhileOff: [HardwareInjection] = []
  /// Why a restart could not restore the pump from its snapshot bytes (the run then fails).
  public private(set) var restoreFailure: String?
  private let profile: HardwareProfile
  private let formulary: Formulary
  /// The trace's simulated patient, if it names one (OfflineDriver+Patient.swift).
  var patient: OfflinePatient?

  /// A pump on `setup`'s profile and formulary, powered on at time 0 in self-test.
  public init(setup: TraceSetup) {
    rig = PumpRig(
      controller: PumpController(profile: setup.profile, formulary: setup.formulary, now: .zero),
      hardware: SimulatedHardware(profile: setup.profile, now: .zero))
    prescription = setup.prescription
    profile = setup.profile
    formulary = setup.formulary
    patient = setup.patient.map { OfflinePatient($0, profile: setup.profile) }
  }

  public var work: Int64 { rig.steps }

  /// Record every controller log entry (`expect logged …`: `Trace.readsLog`; otherwise
  /// nothing is paid for them).
  public var readsLog = false

  /// Sample the values `expect value …` reads with every delivered sample (set when the trace
  /// has such expectations: `Trace.samplesValues`; otherwise nothing is paid for them).
  public var samplesValues = false

  #if DEBUG
    /// Breaks one safety rule of the controller (tests only): a replay must then fail on the
    /// invariant, whatever the trace expects.
    public mutating func breakRule(_ rule: DebugBrokenRule) {
      rig.controller.debugBrokenRule = rule
    }
  #endif

  public mutating func begin(_ setup: TraceSetup, log: inout ObservationLog) throws(TraceError) {
    log.append(.mode(.selfTest, .command), at: .zero)
    // The patient's start state (online: the begin's PATIENT read-out), so a claim from 0 on
    // (`expect value … throughout`) has a sample there.
    if let p = patient { log.append(.patient(p.coupling.patient.vitals), at: .zero) }
    defer { sample(at: .zero, log: &log) }
    guard setup.start != .selfTest else { return }
    send(.selfTestResult(passed: true), at: .zero, line: 0, log: &log)
    guard setup.start != .idle else { return }
    if let r = send(.program(setup.prescription), at: .zero, line: 0, log: &log) {
      throw TraceError(
        file: "", line: 0, column: 0,
        message: "the pump rejected the header's prescription: \(TraceNames.name(r))")
    }
    if rig.controller.pending != nil {
      send(.confirmSoftLimits, at: .zero, line: 0, log: &log)
    }
    guard setup.start == .infusing else { return }
    if let r = send(.start, at: .zero, line: 0, log: &log) {
      throw TraceError(
        file: "", line: 0, column: 0, message: "the pump refused to start: \(TraceNames.name(r))")
    }
  }

  /// Lines skipped offline, with the reason (`raw`, `disconnect`: the serial line only).
  public private(set) var skippedLines: [String] = []

  public mutating func apply(
    _ action: TraceAction, at t: Milliseconds, line: Int, log: inout ObservationLog
  ) {
    stepPatient(through: t, log: &log)
    if let why = action.offlineSkipReason { return skip(why, at: t, line: line, log: &log) }
    if case .asRole(let inner, let role) = action {
      return applyAs(role, inner, at: t, line: line, log: &log)
    }
    if !powered {
      switch action {
      case .powerRestored(let passed):
        powered = true
        log.append(.power(on: true), at: t)
        restoreFromJournal()
        drive(&log) { rig, o in rig.powerRestored(at: t, selfTestPassed: passed, observe: o) }
      case .inject(let i):
        if case .fault = i { return }  // Refused while off, as online.
        inject(i)
        injectedWhileOff.append(i)
      default:
        return  // No power: the pump hears nothing.
      }
      return sample(at: t, log: &log)
    }
    switch action {
    case .vitals(let s):
      feed(s, at: t, log: &log)
    case .vitalsSeries:
      break  // Expanded by the runner.
    case .press:
      request(.patientBolus, at: t, line: 0, log: &log)
    case .clinician:
      if let r = action.hostRequest(prescription: prescription) {
        request(r, at: t, line: line, log: &log)
      }
    case .inject(.fault(let f)):
      send(.fault(f), at: t, line: line, log: &log)
    case .inject(let i):
      drive(&log) { rig, o in rig.advance(to: t, observe: o) }
      inject(i)
      drive(&log) { rig, o in rig.step(at: t, observe: o) }
    case .powerLost:
      drive(&log) { rig, o in rig.powerLost(at: t, observe: o) }
      journal = rig.snapshot()
      injectedWhileOff = []
      powered = false
      log.append(.power(on: false), at: t)
      log.append(.motor(.zero), at: t)
    case .powerRestored:
      break  // Already on.
    case .hostLink(let up):
      send(.hostLink(connected: up), at: t, line: line, log: &log)
    case .asRole, .raw, .disconnect:
      break  // Handled above.
    case .clockAdvance(let d):
      drive(&log) { rig, o in rig.catchUp(to: t + d, observe: o) }
      return sample(at: t + d, log: &log)
    }
    sample(at: t, log: &log)
  }

  /// A vitals sample at `t`, as `apply(.vitals(s), …)`. The common event of a long replay (a
  /// series' sample): on a powered pump with no patient to step it goes straight to the pump,
  /// without the action built and switched on; otherwise the general way.
  public mutating func apply(vitals s: VitalsSample, at t: Milliseconds, log: inout ObservationLog)
  {
    guard powered, patient == nil else { return apply(.vitals(s), at: t, line: 0, log: &log) }
    #if DEBUG
      debugDirectVitals += 1
    #endif
    feed(s, at: t, log: &log)
    sample(at: t, log: &log)
  }

  #if DEBUG
    /// Samples `apply(vitals:at:log:)` took straight to the pump (tests: the path is taken).
    public private(set) var debugDirectVitals = 0
  #endif

  /// A vitals sample to the pump (what a powered pump does with `.vitals`).
  private mutating func feed(_ s: VitalsSample, at t: Milliseconds, log: inout ObservationLog) {
    log.fed(s, at: t)
    request(.vitals(s), at: t, line: 0, log: &log)
  }

  /// `… as <role>`: the session's permission check (the protocol's table, the firmware's
  /// own), then the action as usual. A refusal is NAK 08 online: nothing reaches the pump.
  private mutating func applyAs(
    _ role: Role, _ inner: TraceAction, at t: Milliseconds, line: Int,
    log: inout ObservationLog
  ) {
    guard inner.permitted(as: role, prescription: prescription) else {
      log.append(.roleForbidden(line: line), at: t)
      return advance(to: t, log: &log)  // Refused by the session: the machine takes no step.
    }
    apply(inner, at: t, line: line, log: &log)
  }

  /// A line that exists only online: noted with the reason, and sampled like any action (as
  /// online, so delivered samples stay the same). Kept apart from the step loop.
  private mutating func skip(
    _ why: String, at t: Milliseconds, line: Int, log: inout ObservationLog
  ) {
    skippedLines.append("line \(line): \(why)")
    advance(to: t, log: &log)  // Time runs to t; the sample a STATUS would give there.
  }

  /// The delivered total now, stamped `t`.
  private mutating func sample(at t: Milliseconds, log: inout ObservationLog) {
    log.appendDelivered(rig.controller.ledger.deliveredTotal, at: t)
    noEventSinceSample()
    if samplesValues { sampleValues(rig.controller, at: t, log: &log) }
  }

  /// A sample was taken: no event since. (Written only when set: clearing a clear flag needs
  /// no uniquely referenced box.)
  private mutating func noEventSinceSample() {
    if checks.sampler.eventSinceSample { uniqueChecks().sampler.eventSinceSample = false }
  }

  /// The values a trace reads, from the controller's telemetry (what STATUS reports online)
  /// plus the active basal rate (not on the wire).
  private func sampleValues(_ c: PumpController, at t: Milliseconds, log: inout ObservationLog) {
    log.append(.pumpValues(PumpValues(Telemetry(c), basalRate: c.status.basalRate)), at: t)
  }

  /// Time runs to `t`: steps at the deadlines on the way only (`PumpRig.catchUp`, what the
  /// firmware does at `CLOCK ADVANCE`), then samples the delivered total at `t` from a copy
  /// advanced there (what the firmware's STATUS reports), so the rig itself never takes a step
  /// an online pump would not.
  public mutating func advance(to t: Milliseconds, log: inout ObservationLog) {
    stepPatient(through: t, log: &log)
    guard powered else { return sample(at: max(t, rig.now), log: &log) }
    drive(&log) { rig, o in rig.catchUp(to: t, observe: o) }
    // At the rig's own instant the copy would take no step (`advance(to: now)` does nothing):
    // the rig is sampled as it stands, without copying it.
    guard t > rig.now else { return sample(at: rig.now, log: &log) }
    var copy = rig
    copy.advance(to: t)
    log.appendDelivered(copy.controller.ledger.deliveredTotal, at: t)
    noEventSinceSample()
    if samplesValues { sampleValues(copy.controller, at: t, log: &log) }
  }

  /// Runs `body` on the rig with an observer that records into `log` (the observer captures
  /// locals only, so the rig can be mutated meanwhile).
  @discardableResult
  private mutating func drive<R>(
    _ log: inout ObservationLog,
    _ body: (inout PumpRig, PumpRig.Observer) -> R
  ) -> R {
    let l = looker()
    return body(&rig) { c in l.look(&c, &log) }
  }

  /// What the observers of one rig call need: the checks, updated in place through the
  /// reference (nothing moved or copied per call; the invariants' history must stay uniquely
  /// referenced, or every call would copy it and a 7-day replay would go quadratic), whether
  /// the hardware follows its commands, whether log entries are recorded.
  private mutating func looker() -> Looker {
    makeChecksUnique()
    return Looker(
      checks: Unmanaged.passUnretained(checks),
      follows: !(rig.hardware.motorRunaway || rig.hardware.sensorFailed), logs: readsLog)
  }

  /// One look at the controller after each call: its observations, then the safety invariants.
  private struct Looker {
    /// Held without a reference count of its own (the driver's `checks` keeps it alive
    /// through the call): a counted reference in the observers was retained and released
    /// per call.
    let checks: Unmanaged<Checks>
    let follows: Bool
    let logs: Bool

    /// After an event `e` with result `r`: the invariants' after-event check in the same
    /// look. The first violation is kept; a clean look writes nothing (no old value to
    /// release).
    @inline(__always)
    func look(
      _ c: inout PumpController, _ log: inout ObservationLog, after e: PumpEvent? = nil,
      _ r: Rejection? = nil
    ) {
      checks._withUnsafeGuaranteedRef { k in
        OfflineDriver.record(&c, &log, &k.sampler, logs)
        guard k.violation == nil else { return }
        let v =
          if let e {
            k.invariants.observeEvent(e, rejection: r, &c, hardwareFollowsCommand: follows)
          } else {
            k.invariants.observe(&c, hardwareFollowsCommand: follows)
          }
        if let v { k.violation = v }
      }
    }
  }

  @discardableResult
  private mutating func send(
    _ e: PumpEvent, at t: Milliseconds, line: Int, log: inout ObservationLog
  ) -> Rejection? {
    // The event's own call is observed and checked after the event from one look at the
    // controller (`rig.controller` after the call is a copy of it). Its observer is written
    // here, not in `drive`: there it was wrapped once more to pass `e`.
    let l = looker()
    let r = rig.send(
      e, at: t, observe: { c in l.look(&c, &log) },
      answered: { c, r in l.look(&c, &log, after: e, r) })
    if line > 0 { log.append(.command(line: line, rejection: r), at: t) }
    return r
  }

  /// `checks`, copied first if a copy of this driver shares it (value semantics).
  private mutating func uniqueChecks() -> Checks {
    makeChecksUnique()
    return checks
  }

  private mutating func makeChecksUnique() {
    if !isKnownUniquelyReferenced(&checks) { checks = checks.copy() }
  }

  /// Sends a request to the controller as the firmware would: the request an online driver
  /// puts on the wire (`TraceAction.hostRequest`), turned into its controller event by the
  /// firmware's own mapping (`HostRequest.pumpEvent`, inlinable). One mapping, no copy here.
  /// A sample or a press is built here as its request (`.vitals`, `.patientBolus`, as
  /// `hostRequest` builds it, TraceRunnerTests): with the case known, the mapping folds away
  /// and no optional request is made and destroyed per sample.
  @inline(__always)
  private mutating func request(
    _ r: HostRequest, at t: Milliseconds, line: Int, log: inout ObservationLog
  ) {
    guard let e = r.pumpEvent else { return }
    send(e, at: t, line: line, log: &log)
  }

  private mutating func inject(_ i: HardwareInjection) { rig.hardware.apply(i) }

  /// The patient's hook: time runs to `t` through the deadlines only (`PumpRig.catchUp`).
  mutating func catchUp(to t: Milliseconds, log: inout ObservationLog) {
    drive(&log) { rig, o in rig.catchUp(to: t, observe: o) }
  }

  /// The patient's hook: one of its inputs (monitor sample, press) at `t`, as an input.
  mutating func patientInput(_ e: PumpEvent, at t: Milliseconds, log: inout ObservationLog) {
    send(e, at: t, line: 0, log: &log)
  }

  /// Power-on after an outage: the pump is rebuilt from the snapshot bytes taken at the loss
  /// (as the firmware restarts from its journal), then the hardware changes made while it was
  /// off are applied to it. Bytes that do not restore leave the pump as it stood and fail the run.
  private mutating func restoreFromJournal() {
    guard let bytes = journal else { return }
    do {
      var restored = try PumpRig(restoring: bytes, profile: profile, formulary: formulary)
      for i in injectedWhileOff { restored.hardware.apply(i) }
      #if DEBUG
        restored.controller.debugBrokenRule = rig.controller.debugBrokenRule
      #endif
      rig = restored
    } catch {
      if restoreFailure == nil {
        restoreFailure = "power-on could not restore the snapshot: \(error)"
      }
    }
    journal = nil
    injectedWhileOff = []
  }

  /// One controller call's observations (and its log entries when the trace reads them).
  @inline(__always)
  private static func record(
    _ c: inout PumpController, _ log: inout ObservationLog, _ s: inout Sampler, _ logs: Bool
  ) {
    // Most calls have no effects: nothing to walk (and no array to retain for the walk).
    guard !c.effects.isEmpty else { return }
    observe(&c, &log, &s)
    if logs { logEntries(&c, &log) }
  }

  /// The entries the controller logged in one call: one per effect, at its time (the
  /// controller's `record`), kept apart from `observe`.
  private static func logEntries(_ c: inout PumpController, _ log: inout ObservationLog) {
    for e in c.effects { log.append(.logged(LoggedKind(e)), at: c.now) }
  }

  /// Delivered-total sampling state.
  struct Sampler {
    /// An effect the firmware sends as an EVT happened since the last sample.
    var eventSinceSample = false
  }

  /// What the observer updates at every controller call: the safety invariants (docs/hazards.md),
  /// the first violation, the sampling state. A class, so the observer closure updates it in
  /// place; moving the invariants (and their history) out of the driver and back around every
  /// call cost a copy, an init and a destroy each time (docs/PERFORMANCE.md).
  /// (Only the driver, one call at a time, touches it: no run-time exclusivity checks, which
  /// cost more than the work they guard.)
  final class Checks {
    @exclusivity(unchecked) var invariants = SafetyInvariants()
    @exclusivity(unchecked) var violation: SafetyInvariants.Violation?
    @exclusivity(unchecked) var sampler = Sampler()

    func copy() -> Checks {
      let c = Checks()
      c.invariants = invariants
      c.violation = violation
      c.sampler = sampler
      return c
    }
  }

  /// Turns one controller call's effects into observations; notes whether the pump would
  /// have sent an event.
  private static func observe(
    _ c: inout PumpController, _ log: inout ObservationLog, _ s: inout Sampler
  ) {
    for e in c.effects {
      if !s.eventSinceSample, !DeviceEvent.events(for: e, controller: c).isEmpty {
        s.eventSinceSample = true
      }
      switch e {
      case .motor(let r):
        log.append(.motor(r), at: c.now)
      case .modeChanged(_, let to, let reason): log.append(.mode(to, reason), at: c.now)
      case .alarmRaised(let a): log.append(.alarmRaised(a, a.priority), at: c.now)
      case .alarmAcknowledged(let a): log.append(.alarmAcknowledged(a), at: c.now)
      case .alarmCleared(let a): log.append(.alarmCleared(a), at: c.now)
      case .audioPaused(let u): log.append(.audioPaused(until: u), at: c.now)
      case .audioPauseBroken(let a): log.append(.audioPauseBroken(by: a), at: c.now)
      case .bolusGranted(let d, _): log.append(.bolusGranted(d), at: c.now)
      case .bolusDenied(let r, _): log.append(.bolusDenied(r), at: c.now)
      default: break
      }
    }
  }
}
