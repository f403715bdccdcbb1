import PumpCore
import PumpHost
import PumpProtocol
import PumpTrace

/// Runs a trace on a running pumpsim over the serial line (docs/TRACES.md, "Online replay").
/// The pump's clock is virtual and driven by the trace through the service role: `CLOCK
/// ADVANCE` moves it exactly to every instant of interest (each action and each expectation
/// boundary: a window's start and the millisecond before it, its end, `until`, `at`, the start
/// of `last W`), so an event reported after advancing to X and before the next advance happened
/// in (previous instant, X] and is stamped X: every window the checker looks at sees the same
/// events as offline. After each advance and each action, STATUS samples the commanded rate
/// and the delivered total; its reply follows the EVT frames of the requests before it.
///
/// Actions go out in their roles (`TraceAction.role`, `TraceAction.hostRequest`). A link
/// failure ends the run: `failure` says why, and later actions are not sent.
public struct OnlineDriver: TraceDriver {
  public let pump: OnlinePump
  private let setup: TraceSetup
  /// Instants of interest, ascending; `next` is the first not yet reached.
  private let instants: [Milliseconds]
  private var next = 0
  /// The pump's clock, ms since the trace's start (pumpsim started with `--clock virtual`).
  public private(set) var pumpTime = Milliseconds.zero
  private var powered = true
  private var lastRate: MicrolitersPerHour?
  private var lastDelivered: Micrograms?
  /// Why the run stopped early (link lost, a request refused for a reason other than the
  /// pump's), or nil.
  public private(set) var failure: String?

  /// A driver for `trace` bound to `setup` on `pump` (a freshly started pumpsim).
  public init(pump: OnlinePump, trace: Trace, setup: TraceSetup) {
    self.pump = pump
    self.setup = setup
    instants = Self.instants(of: trace)
  }

  public var work: Int64 { pump.requests }

  /// The instants at which the pump's clock must stop for the checker's windows to see what
  /// they see offline: every expectation's time, the millisecond before it (a window includes
  /// its start), its horizon, and the start of a `last W` amount.
  public static func instants(of trace: Trace) -> [Milliseconds] {
    var out: Set<Milliseconds> = []
    for x in trace.expectations {
      let t = x.time
      out.insert(t)
      if t > .zero { out.insert(t - Milliseconds(1)) }
      out.insert(x.expectation.horizon(from: t))
      if case .delivered(_, _, .last(let w)) = x.expectation, t - w > .zero { out.insert(t - w) }
      if case .mode(_, let at) = x.expectation { out.insert(at) }
    }
    out.insert(trace.end)
    return out.sorted()
  }

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
    if case .clockAdvance(let d) = action { return move(to: t + d, log: &log) }
    move(to: t, log: &log)
    guard powered || Self.reachesUnpoweredPump(action) else { return }
    guard let request = action.hostRequest(prescription: setup.prescription) else { return }
    if case .vitals(let s) = action { log.fed(s, at: t) }
    do {
      let nak = try pump.send(request, as: action.role)
      var rejection: Rejection? = nil
      if let n = nak {
        switch n.code {
        case .rejected: rejection = Rejection(rawValue: UInt8(clamping: n.detail)) ?? .invalidValue
        case .bolusDenied: break  // The EVT BOLUSNO says why.
        default:
          failure = "line \(line): \(request.kind.rawValue) refused: \(n.code.name) \(n.reason)"
          return
        }
      }
      switch action {
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
    guard failure == nil else { return }
    let before = pumpTime
    move(to: t, log: &log)
    if before < t && !instants.contains(t) { sample(at: t, log: &log) }
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

  /// Advances the pump's clock through every instant of interest up to and including `t`
  /// (sampling at each), then to `t`. An event is stamped with the first sample at or after
  /// the instant it happened, which is never past the next instant of interest.
  private mutating func move(to t: Milliseconds, log: inout ObservationLog) {
    while next < instants.count && instants[next] <= t {
      let x = instants[next]
      next += 1
      if x > pumpTime {
        clock(to: x)
        sample(at: x, log: &log)
      }
    }
    if pumpTime < t { clock(to: t) }
  }

  /// `CLOCK ADVANCE` to `t` (in steps of at most a day, the protocol's limit).
  private mutating func clock(to t: Milliseconds) {
    guard failure == nil else { return }
    while pumpTime < t {
      let step = min(t - pumpTime, Milliseconds(86_400_000))
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
    for e in pump.takeEvents() {
      if let o = Self.observation(e) { log.append(o, at: t) }
    }
    // Unpowered, the controller still holds its last command; the mechanism is stopped.
    if powered && status.commandedRate != lastRate {
      log.append(.motor(status.commandedRate), at: t)
      lastRate = status.commandedRate
    }
    if status.deliveredTotal != lastDelivered {
      log.append(.delivered(status.deliveredTotal), at: t)
      lastDelivered = status.deliveredTotal
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
