import PumpCore
import PumpHost
import PumpPatient
import PumpProtocol
import PumpTrace

/// Runs a trace on a running pumpsim over the serial line (docs/TRACES.md, "Online replay").
/// The pump's clock is virtual and driven by the trace through the service role: `CLOCK
/// ADVANCE` moves it exactly to every action's time and every instant of interest
/// (`Trace.instants`, reached by the runner through `advance(to:)`), so an event reported
/// after advancing to X and before the next sample happened in (previous sample, X] and is
/// stamped X: every window the checker looks at sees the same events as offline. STATUS samples
/// the commanded rate and the delivered total at every instant, after every action but a quiet
/// vitals sample (no event since the last sample: docs/PROTOCOL.md §4.6 puts a request's events
/// before its reply), and at the end — the instants `OfflineDriver` samples at.
/// With a simulated patient, PATIENT is read at every sample and, inside the span of every
/// patient-value claim over a window, at every grid second on the way (`sweepPatient`,
/// docs/TRACES.md "Patient values between instants"), where offline logs the patient too.
///
/// Actions go out in their roles (`TraceAction.role`, `TraceAction.hostRequest`), except runs of
/// vitals samples that need the clock moved: those are queued and fed as `CLOCK VITALS` on the
/// service session, pipelined (`flush`, `OnlinePump.feed`; docs/PROTOCOL.md §4.3.2), and
/// recorded sample by sample as if each had gone out alone. A link failure ends the run:
/// `failure` says why, and later actions are not sent.
public struct OnlineDriver: TraceDriver {
  public let pump: OnlinePump
  let setup: TraceSetup
  /// The pump's clock, ms since the trace's start (pumpsim started with `--clock virtual`).
  public internal(set) var pumpTime = Milliseconds.zero
  private var powered = true
  private var lastRate: MicrolitersPerHour?
  /// The session the current sample was taken on.
  private var lastSampleRole: Role = .service
  /// Why the run stopped early (link lost, a request refused for a reason other than the
  /// pump's), or nil.
  public internal(set) var failure: String?
  /// Sample the values `expect value …` reads from each STATUS (`Trace.samplesValues`).
  private let samplesValues: Bool
  /// Stamp events with the pump's own times from its log (`Trace.needsExactTimes`).
  private let exactTimes: Bool
  /// Read every new log entry at every sample (`Trace.readsLog`: `expect logged …`).
  private let readsLog: Bool
  /// The last controller log entry read (exact times).
  private var logSequence: UInt32 = 0
  /// The instant of the sample before (log times are kept at or after it, so the observations
  /// stay in time order).
  private var previousSample = Milliseconds.zero
  /// Vitals samples queued for the monitor feed (`OnlinePump.feed`), not yet sent: sent and
  /// recorded, in order, before anything else reaches the pump (`flush`).
  private var queued: [(t: Milliseconds, step: Milliseconds, sample: VitalsSample)] = []
  /// Samples queued at most before they are sent (a run of 1 Hz seconds between two
  /// instants is fed in one pipelined burst of at most this many); 0: no feed, every sample
  /// goes out alone (`VITALS` on the vitals session after a `CLOCK ADVANCE`), as before issue 14
  /// (benchmarks compare the two).
  public var feedBatch = OnlineDriver.defaultFeedBatch
  public static let defaultFeedBatch = 512
  /// Controller log entries read but not yet stamped: a LOG read after a fed burst reaches past
  /// the sample being recorded; each sample takes the entries up to its time.
  private var logAhead: [(UInt32, Milliseconds, String)] = []
  /// True while recording a fed burst after a LOG read: the log is known up to the burst's
  /// last sample and no request has reached the pump since.
  private var logCurrent = false
  /// The spans over which an expectation judges a patient value at every instant
  /// (`patientSpans(_:)`), merged and ascending; empty without a patient.
  let patientSpans: [(from: Milliseconds, to: Milliseconds)]
  /// The patient's grid (its monitor's continuous period, 1 s): offline logs it at each.
  let patientPeriod: Milliseconds
  /// Patient readouts taken inside those spans between samples, not yet in the log: they go
  /// in with the next sample's observations, in time order (`appendPatients(upTo:log:)`).
  var sweptPatients: [(Milliseconds, PatientVitals)] = []

  /// A driver for `trace` bound to `setup` on `pump` (a freshly started pumpsim).
  public init(pump: OnlinePump, trace: Trace, setup: TraceSetup) {
    self.pump = pump
    self.setup = setup
    samplesValues = trace.samplesValues
    readsLog = trace.readsLog
    exactTimes = trace.needsExactTimes || readsLog
    patientSpans = setup.patient == nil ? [] : Self.patientSpans(trace)
    patientPeriod = setup.patient?.monitorSettings.continuousPeriod ?? .seconds(1)
  }

  public var work: Int64 { pump.requests }

  public mutating func begin(_ setup: TraceSetup, log: inout ObservationLog) throws(TraceError) {
    func fail(_ m: String) -> TraceError { TraceError(file: "", line: 0, column: 0, message: m) }
    guard setup.start != .selfTest else {
      throw fail("start: self-test cannot be replayed online (pumpsim self-tests at power-on)")
    }
    do {
      let t = try pump.status()
      guard t.mode == .idle, t.deliveredTotal == .zero, t.alarmCount == 0 else {
        throw fail(
          "the pump is not fresh (mode \(TraceNames.name(t.mode)), \(t.deliveredTotal.rawValue) µg delivered, \(t.alarmCount) alarms): start a new pumpsim with --clock virtual and an empty state directory, or use --spawn-pumpsim"
        )
      }
      try checkPatient()  // OnlineDriver+Patient.swift
      if let n = try pump.send(.clock(.mode(.virtual)), as: .service) {
        throw fail("the pump refused CLOCK MODE VIRTUAL: \(n.code.name) \(n.reason)")
      }
      log.append(.mode(.selfTest, .command), at: .zero)
      log.append(.mode(.idle, .selfTestPassed), at: .zero)
      guard setup.start != .idle else { return sample(at: .zero, log: &log) }
      if let r = try command(.program(setup.prescription)) {
        throw fail("the pump rejected the header's prescription: \(TraceNames.name(r))")
      }
      if needsConfirmation(setup) { _ = try command(.confirmSoftLimits) }
      if setup.start == .infusing, let r = try command(.start) {
        throw fail("the pump refused to start: \(TraceNames.name(r))")
      }
    } catch let e as TraceError {
      throw e
    } catch {
      throw fail("online: \(error)")
    }
    sample(at: .zero, log: &log)
  }

  public mutating func apply(
    _ action: TraceAction, at t: Milliseconds, line: Int, log: inout ObservationLog
  ) {
    guard failure == nil else { return }
    if case .vitals(let s) = action, feeds(at: t) {
      queued.append((t, t - pumpTime, s))
      pumpTime = t
      if queued.count >= feedBatch { flush(log: &log) }
      return
    }
    flush(log: &log)
    if case .clockAdvance(let d) = action {
      clock(to: t + d)
      return sample(at: t + d, log: &log)
    }
    clock(to: t)
    switch action {
    case .raw(let bytes):
      do { try pump.writeRaw(bytes, via: .service) } catch {
        failure = "line \(line): raw bytes: \(error)"
        return
      }
      return sample(at: t, log: &log)
    case .disconnect(let role):
      pump.disconnect(role)
      return sample(at: t, log: &log)
    default: break
    }
    var forbidden = false
    if case .asRole(let inner, let role) = action {
      forbidden = !inner.permitted(as: role, prescription: setup.prescription)
    }
    // Unpowered, only hardware and power-on reach the pump (a role the session refuses is
    // refused before that: the pump's NAK 08 is still asked for).
    guard powered || forbidden || Self.reachesUnpoweredPump(action.unwrapped) else {
      return readPatientInSpan(at: t)
    }
    guard let request = action.hostRequest(prescription: setup.prescription) else {
      return readPatientInSpan(at: t)
    }
    if case .vitals(let s) = action {
      // The sample's STATUS rides with the VITALS on the vitals session: one round trip.
      log.fed(s, at: t)
      do {
        let (nak, status) = try pump.send(request, as: action.role, thenStatus: ())
        if let n = nak, n.code != .rejected {
          failure = "line \(line): \(request.kind.rawValue) refused: \(n.code.name) \(n.reason)"
          return
        }
        lastSampleRole = action.role
        return record(status, events: pump.takeEvents(via: action.role), at: t, log: &log)
      } catch {
        failure = "line \(line): \(error)"
        return
      }
    }
    do {
      let nak = try pump.send(request, as: action.role)
      var rejection: Rejection? = nil
      if let n = nak {
        switch n.code {
        case .rejected: rejection = Rejection(rawValue: UInt8(clamping: n.detail)) ?? .invalidValue
        case .bolusDenied: break  // The EVT BOLUSNO says why.
        case .roleForbidden where line > 0:
          log.append(.roleForbidden(line: line), at: t)
          return sample(at: t, log: &log)
        default:
          failure = "line \(line): \(request.kind.rawValue) refused: \(n.code.name) \(n.reason)"
          return
        }
      }
      switch action.unwrapped {
      case .powerLost:
        powered = false
        log.append(.power(on: false), at: t)
        log.append(.motor(.zero), at: t)
        lastRate = .zero
      case .powerRestored:
        powered = true
        log.append(.power(on: true), at: t)
      case .clinician, .inject(.fault), .hostLink:
        if line > 0 { log.append(.command(line: line, rejection: rejection), at: t) }
      default: break
      }
    } catch {
      failure = "line \(line): \(error)"
      return
    }
    sample(at: t, log: &log)
  }

  public mutating func advance(to t: Milliseconds, log: inout ObservationLog) {
    flush(log: &log)
    guard failure == nil else { return }
    sweepPatient(before: t)  // OnlineDriver+Patient.swift
    clock(to: t - maxClockStep)
    guard pumpTime < t else { return sample(at: t, log: &log) }
    // The last step and the sample's STATUS in one round trip on the service session.
    let step = t - pumpTime
    do {
      let (nak, status) = try pump.send(.clock(.advance(step)), as: .service, thenStatus: ())
      if let n = nak {
        failure = "CLOCK ADVANCE refused: \(n.code.name) \(n.reason)"
        return
      }
      pumpTime = t
      lastSampleRole = .service
      record(status, events: pump.takeEvents(via: .service), at: t, log: &log)
    } catch {
      failure = "CLOCK ADVANCE: \(error)"
    }
  }

  /// Sends the queued vitals samples and records each one's sample in order, as if each had
  /// gone out alone (`OnlineReplay.run` calls it once more after the runner's last step).
  public mutating func flush(log: inout ObservationLog) {
    guard !queued.isEmpty else { return }
    let items = queued
    queued.removeAll(keepingCapacity: true)
    guard failure == nil else { return }
    let fed: [OnlinePump.Fed]
    do { fed = try pump.feed(items.map { ($0.step, $0.sample) }) } catch {
      failure = "vitals at \(items[0].t.rawValue) ms and on: \(error)"
      return
    }
    defer { logCurrent = false }
    for (item, r) in zip(items, fed) {
      log.fed(item.sample, at: item.t)
      switch r.outcome {
      case .refused(let n):
        // The controller takes every sample: a refusal means the pump could not (a journal
        // fault), and the status after it is unknown.
        failure =
          "vitals at \(item.t.rawValue) ms: CLOCK VITALS refused: \(n.code.name) \(n.reason)"
        return
      case .status(let status):
        lastSampleRole = .service
        record(status, events: r.events, at: item.t, log: &log)
      }
      if failure != nil { return }
    }
  }

  /// Whether a vitals sample at `t` goes out through the monitor feed: the pump is on, its clock
  /// must move forward (at most a day) to reach `t`, the vitals session is up (after a
  /// `disconnect vitals` line the sample goes out alone and logs in again, as offline), and no
  /// simulated patient is read at every sample.
  private func feeds(at t: Milliseconds) -> Bool {
    feedBatch > 0 && powered && setup.patient == nil && pumpTime < t
      && t - pumpTime <= Milliseconds(86_400_000)
      && pump.isConnected(.vitals)
  }

  // MARK: Steps

  /// What an unpowered pump still reacts to: power-on and changes to its hardware (as
  /// `OfflineDriver`; the firmware refuses everything else while off).
  static func reachesUnpoweredPump(_ a: TraceAction) -> Bool {
    switch a {
    case .powerRestored: true
    case .inject(.fault): false
    case .inject: true
    default: false
    }
  }

  /// The longest `CLOCK ADVANCE` sent: a day (the protocol's limit), or 15 min with a simulated
  /// patient, whose model steps every second of the jump before the reply: a day of it takes
  /// seconds in a debug pumpsim on a loaded machine, past the host's retransmission window
  /// (3 × 500 ms), so the outcome came back uncertain. Smaller jumps give the same course.
  var maxClockStep: Milliseconds {
    Milliseconds(setup.patient == nil ? 86_400_000 : 900_000)
  }

  /// `CLOCK ADVANCE` to `t` (in steps of at most `maxClockStep`), reading the patient at its
  /// grid instants before `t` inside `patientSpans` on the way (`sweepPatient`).
  private mutating func clock(to t: Milliseconds) {
    sweepPatient(before: t)
    stepClock(to: t)
  }

  /// `CLOCK ADVANCE` to `t` in steps of at most `maxClockStep`, nothing read on the way.
  mutating func stepClock(to t: Milliseconds) {
    guard failure == nil else { return }
    while pumpTime < t {
      let step = min(t - pumpTime, maxClockStep)
      do {
        if let n = try pump.send(.clock(.advance(step)), as: .service) {
          failure = "CLOCK ADVANCE refused: \(n.code.name) \(n.reason)"
          return
        }
      } catch {
        failure = "CLOCK ADVANCE: \(error)"
        return
      }
      pumpTime = pumpTime + step
    }
  }

  /// STATUS, then the events that came before it, all stamped `t`.
  private mutating func sample(at t: Milliseconds, log: inout ObservationLog) {
    guard failure == nil else { return }
    let status: Telemetry
    do { status = try pump.status() } catch {
      failure = "STATUS: \(error)"
      return
    }
    lastSampleRole = .service
    record(status, events: pump.takeEvents(), at: t, log: &log)
  }

  /// A sample's observations: the events that came before the status, then the commanded rate
  /// (when changed) and the delivered total, all stamped `t`.
  private mutating func record(
    _ status: Telemetry, events: [DeviceEvent], at t: Milliseconds, log: inout ObservationLog
  ) {
    var motorFromLog = false
    defer { previousSample = t }
    if exactTimes && logSequence != UInt32.max && (powered || readsLog)
      && (readsLog || !events.isEmpty || status.commandedRate != lastRate)
    {
      motorFromLog = exactRecord(events, at: t, log: &log)
      if failure != nil { return }
    } else {
      appendPatients(upTo: t, log: &log)
      for e in events {
        if let o = Self.observation(e) { log.append(o, at: t) }
      }
    }
    appendPatients(upTo: t, log: &log)  // Those after the last event (OnlineDriver+Patient.swift).
    if motorFromLog { lastRate = status.commandedRate }
    // Unpowered, the controller still holds its last command; the mechanism is stopped.
    if powered && status.commandedRate != lastRate {
      log.append(.motor(status.commandedRate), at: t)
      lastRate = status.commandedRate
    }
    // Every sample, changed or not: a total left out would be interpolated from the next
    // one, reading high (a sample at `start` would show basal not yet given).
    log.append(.delivered(status.deliveredTotal), at: t)
    if samplesValues { log.append(.pumpValues(PumpValues(status)), at: t) }
    recordPatient(at: t, log: &log)  // OnlineDriver+Patient.swift
  }

  /// Exact times (docs/TRACES.md, "Exact event times online"): the events of a sample,
  /// stamped with the times the pump's own log gives their effects (`LOG`, `#seq t=ms …`), and
  /// the motor commands the log holds in between, in log order; an event the log does not
  /// explain keeps the sample's time `t`. Returns false when the log could not be read in full
  /// (the motor then comes from STATUS, as without exact times).
  private mutating func exactRecord(
    _ events: [DeviceEvent], at t: Milliseconds, log: inout ObservationLog
  ) -> Bool {
    let entries: [(UInt32, Milliseconds, String)]?
    do { entries = try logEntries(upTo: t) } catch {
      failure = "LOG: \(error)"
      return false
    }
    guard let entries else {
      appendPatients(upTo: t, log: &log)
      for e in events { if let o = Self.observation(e) { log.append(o, at: t) } }
      logSequence = UInt32.max  // Too far behind: from now on stamped at samples.
      return false
    }
    var items: [(Int, Milliseconds, ObservedEvent)] = []
    var used = Set<Int>()
    for e in events {
      guard let o = Self.observation(e) else { continue }
      if let k = entries.indices.first(where: {
        !used.contains($0) && Self.logEntry(entries[$0].2, matches: o)
      }) {
        used.insert(k)
        items.append((k, max(min(entries[k].1, t), previousSample), o))
      } else {
        items.append((Int.max, t, o))
      }
    }
    for (k, e) in entries.enumerated() where e.2.hasPrefix("motor ") && powered {
      let n = e.2.dropFirst(6).prefix(while: { $0.isNumber })
      if let r = Int64(n) {
        items.append((k, max(min(e.1, t), previousSample), .motor(MicrolitersPerHour(r))))
      }
    }
    if readsLog {
      for (k, e) in entries.enumerated() {
        if let kind = LoggedKind(logText: e.2) {
          items.append((k, max(min(e.1, t), previousSample), .logged(kind)))
        }
      }
    }
    // Log order; stable for items of one entry (an event before its `logged` twin).
    let ordered = items.enumerated().sorted { ($0.1.0, $0.0) < ($1.1.0, $1.0) }.map(\.1)
    for (_, time, o) in ordered {
      appendPatients(upTo: time, log: &log)
      log.append(o, at: time)
    }
    return true
  }

  /// The controller log's entries not stamped yet, up to pump time `t`, oldest first; nil when
  /// more than 64 are new (the caller falls back to stamping at samples). Reads `LOG` unless a
  /// read during this fed burst already reached past `t` (entries after `t` wait in `logAhead`
  /// for their own sample).
  private mutating func logEntries(upTo t: Milliseconds) throws(ClientError)
    -> [(UInt32, Milliseconds, String)]?
  {
    if !logCurrent {
      let limit = 64 + 16 * Int(max(0, min(Int64(feedBatch), (pumpTime - t).rawValue / 1000)))
      guard let read = try pump.logSince(logSequence, via: sampleRole, limit: limit) else {
        return nil
      }
      if let last = read.last { logSequence = last.0 }
      logAhead += read
      logCurrent = !queued.isEmpty || pumpTime > t
    }
    let n = logAhead.prefix(while: { $0.1 <= t }).count
    let entries = Array(logAhead.prefix(n))
    logAhead.removeFirst(n)
    return entries.count > 64 ? nil : entries
  }

  /// The role whose session samples (its events were taken through it).
  private var sampleRole: Role { lastSampleRole }

  /// Whether a LOG entry's text (PumpFirmware's `LogText`, every name from `WireNames`) is the
  /// entry of this observed effect: the same kind AND the same alarm, mode, reason or dose, so
  /// two effects of one kind between two samples keep their own times.
  static func logEntry(_ text: String, matches o: ObservedEvent) -> Bool {
    switch o {
    case .mode(let m, _):
      text.hasPrefix("mode ") && text.contains(" -> \(WireNames.name(m)) (")
    case .alarmRaised(let c, _): text.hasPrefix("alarm raised \(WireNames.name(c)) (")
    case .alarmAcknowledged(let c): text == "alarm acknowledged \(WireNames.name(c))"
    case .alarmCleared(let c): text == "alarm cleared \(WireNames.name(c))"
    case .audioPauseBroken(let c): text == "audio pause broken by \(WireNames.name(c))"
    case .bolusGranted(let d): text.hasPrefix("bolus granted \(d.rawValue) ug,")
    case .bolusDenied(let why): text.hasPrefix("bolus denied \(WireNames.name(why)),")
    default: false
    }
  }

  /// The observation a device event stands for (nil: none).
  static func observation(_ e: DeviceEvent) -> ObservedEvent? {
    switch e {
    case .alarmRaised(let c, let p): .alarmRaised(c, p)
    case .alarmAcknowledged(let c): .alarmAcknowledged(c)
    case .alarmCleared(let c): .alarmCleared(c)
    case .bolusGranted(let dose, _): .bolusGranted(dose)
    case .bolusDenied(let why, _): .bolusDenied(why)
    case .modeChanged(let m): .mode(m, .command)
    case .audioPauseBroken(let c): .audioPauseBroken(by: c)
    case .interlock, .occlusionReleased: nil
    }
  }

  /// A clinician command at the begin; the controller's rejection, if any.
  private mutating func command(_ r: HostRequest) throws(ClientError) -> Rejection? {
    guard let n = try pump.send(r, as: .clinician) else { return nil }
    guard n.code == .rejected else { throw .nak(r, n) }
    return Rejection(rawValue: UInt8(clamping: n.detail)) ?? .invalidValue
  }

  /// True when the header's prescription breaks a soft limit (CONFIRM needed, as offline).
  private func needsConfirmation(_ setup: TraceSetup) -> Bool {
    let p = setup.prescription
    guard let entry = setup.formulary.entry(p.drugEntry) else { return false }
    if case .acceptable(let soft) = PrescriptionCheck.check(
      p, against: entry, profile: setup.profile)
    {
      return soft != 0
    }
    return false
  }
}
