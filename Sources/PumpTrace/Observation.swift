import PumpCore
import PumpPatient

/// Something the pump was seen to do, at a time. The checker reads only these, so offline
/// replay (from controller effects) and online replay (from protocol events and telemetry)
/// feed the same checker.
public struct Observation: Hashable, Sendable {
  /// ms since the trace's start.
  public var time: Milliseconds
  public var event: ObservedEvent

  public init(time: Milliseconds, event: ObservedEvent) {
    self.time = time
    self.event = event
  }
}

/// What was observed. Online sources: mode, alarms and bolus decisions from device events,
/// motor rate and delivered total from telemetry, command outcomes from ACK/NAK.
public enum ObservedEvent: Hashable, Sendable {
  case mode(Mode, ModeReason)
  case alarmRaised(AlarmCode, AlarmPriority)
  case alarmAcknowledged(AlarmCode)
  case alarmCleared(AlarmCode)
  case audioPaused(until: Milliseconds)
  case audioPauseBroken(by: AlarmCode)
  case bolusGranted(Micrograms)
  case bolusDenied(BolusDenial)
  /// The commanded motor rate (zero: stopped).
  case motor(MicrolitersPerHour)
  /// Drug delivered since power-on, µg (a sample of a non-decreasing total; the checker
  /// interpolates linearly between samples).
  case delivered(Micrograms)
  /// The outcome of a trace command (nil rejection: accepted), tagged with its trace line.
  case command(line: Int, rejection: Rejection?)
  case power(on: Bool)
  /// The patient model's true state (traces naming a `patient:` only): offline from the model
  /// itself, online from pumpsim's simulator-only patient read-out. Concentrations in ng/mL,
  /// pain NRS 0–10, dissociation 0–100.
  case patient(PatientVitals)
  /// The values a trace reads (`expect value …`), sampled with the delivered total when the
  /// trace has such expectations: offline from the controller's telemetry, online from STATUS.
  case pumpValues(PumpValues)
  /// The command on this trace line was refused by the protocol session (NAK 08
  /// role-forbidden: `… as <role>` for a role the permission table does not allow).
  case roleForbidden(line: Int)
  /// An entry of the pump's event log (traces with `expect logged …` only): offline from the
  /// controller's effects, online from `LOG`, at the entry's time.
  case logged(LoggedKind)
}

/// The observations of one run, in time order, and the vitals that were fed (for plots).
public struct ObservationLog: Sendable {
  public private(set) var records: [Observation] = []
  /// Vitals fed to the pump, when `capturesVitals` (reports only).
  public private(set) var vitals: [(Milliseconds, VitalsSample)] = []
  public var capturesVitals: Bool

  public init(capturesVitals: Bool = false) {
    self.capturesVitals = capturesVitals
    records.reserveCapacity(256)
  }

  public mutating func append(_ event: ObservedEvent, at t: Milliseconds) {
    records.append(Observation(time: t, event: event))
  }

  /// Room for `n` records (a run that knows how many it will make appends without growing).
  public mutating func reserveCapacity(_ n: Int) {
    records.reserveCapacity(n)
    if capturesVitals { vitals.reserveCapacity(n) }
  }

  public mutating func fed(_ sample: VitalsSample, at t: Milliseconds) {
    if capturesVitals { vitals.append((t, sample)) }
  }

  /// A log line for failure messages and reports: `00:10:00.000  alarm raised door-open (high)`.
  public static func describe(_ o: Observation) -> String {
    "\(TraceTime.format(o.time))  \(describe(o.event))"
  }

  public static func describe(_ e: ObservedEvent) -> String {
    switch e {
    case .mode(let m, let r): "mode \(TraceNames.name(m)) (\(TraceNames.name(r)))"
    case .alarmRaised(let a, let p): "alarm raised \(TraceNames.name(a)) (\(TraceNames.name(p)))"
    case .alarmAcknowledged(let a): "alarm acknowledged \(TraceNames.name(a))"
    case .alarmCleared(let a): "alarm cleared \(TraceNames.name(a))"
    case .audioPaused(let u): "audio paused until \(TraceTime.format(u))"
    case .audioPauseBroken(let a): "audio pause broken by \(TraceNames.name(a))"
    case .bolusGranted(let d): "bolus granted \(d.rawValue) µg"
    case .bolusDenied(let r): "bolus denied(\(TraceNames.name(r)))"
    case .motor(let r): "motor \(r.rawValue) µL/h"
    case .delivered(let m): "delivered total \(m.rawValue) µg"
    case .command(let line, let r):
      "command on line \(line) " + (r.map { "rejected(\(TraceNames.name($0)))" } ?? "accepted")
    case .power(let on): on ? "power restored" : "power lost"
    case .patient(let v):
      "patient Cp \(tenths(v.plasma)) ng/mL, Ce \(tenths(v.effectSite)) ng/mL, pain \(tenths(v.pain)), "
        + "HR \(tenths(v.hr)), SBP \(tenths(v.sbp))"
    case .logged(let k): "logged \(k.rawValue)"
    case .roleForbidden(let line): "command on line \(line) rejected(role-forbidden)"
    case .pumpValues(let v):
      "values lockout \(v.lockoutRemaining.rawValue) ms, reservoir \(v.reservoir.rawValue) µL, "
        + "pressure \(v.downstreamPressure.rawValue)/\(v.upstreamPressure.rawValue) milli-psi, "
        + "1h \(v.delivered1h.rawValue) µg, 4h \(v.delivered4h.rawValue) µg"
        + (v.annunciated.map { ", annunciated \(TraceNames.name($0))" } ?? "")
    }
  }

  /// A non-negative value with one decimal, rounded half up (`12.3`); no Foundation.
  static func tenths(_ x: Double) -> String {
    let v = Int64((max(x, 0) * 10).rounded())
    return "\(v / 10).\(v % 10)"
  }
}
