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

/// One delivered sample: the total (µg) at a time (ms), 16 bytes.
public struct DeliveredPoint: Hashable, Sendable {
  public var time: Int64
  public var total: Int64

  public init(time: Int64, total: Int64) {
    self.time = time
    self.total = total
  }
}

/// The observations of one run, in time order, and the vitals that were fed (for plots).
///
/// Most records of a long run are delivered samples (one per event): they are kept apart, as
/// the delivered curve `Timeline` reads without a copy or a pass (16 bytes a point; a sample
/// at the time of the one before replaces it, the replaced total kept aside), and the other
/// records with the number of samples before each, so `records` gives back every record in
/// the order appended. (As `Observation`s, 104 bytes each, a week's log was 63 MB, above
/// glibc's largest mmap threshold: mapped afresh and faulted in on every run.)
public struct ObservationLog: Sendable {
  /// Every record but the delivered samples, in order.
  public private(set) var others: [Observation] = []
  /// How many delivered samples were appended before `others[k]`.
  private var samplesBefore: [Int] = []
  /// The delivered curve: the samples in the order appended, a sample at the time of the one
  /// before replacing it.
  public private(set) var delivered: [DeliveredPoint] = []
  /// The totals of replaced samples, each with the index of the point that replaced it, in
  /// the order appended.
  private var replaced: [(index: Int, total: Int64)] = []
  /// True when the curve's times strictly increase (as every driver logs them).
  public private(set) var deliveredIncreasing = true
  /// Vitals fed to the pump, when `capturesVitals` (reports only).
  public private(set) var vitals: [(Milliseconds, VitalsSample)] = []
  public var capturesVitals: Bool

  public init(capturesVitals: Bool = false) {
    self.capturesVitals = capturesVitals
    others.reserveCapacity(256)
    samplesBefore.reserveCapacity(256)
  }

  /// Every record, in the order appended, built on demand (tests): each read merges the whole
  /// log (O(records)), so bind it once; reports read `others` and `delivered`.
  public var records: [Observation] {
    var samples: [Observation] = []
    samples.reserveCapacity(delivered.count + replaced.count)
    var r = 0
    for (i, p) in delivered.enumerated() {
      while r < replaced.count && replaced[r].index == i {
        samples.append(Self.observation(p.time, replaced[r].total))
        r += 1
      }
      samples.append(Self.observation(p.time, p.total))
    }
    var all: [Observation] = []
    all.reserveCapacity(others.count + samples.count)
    var d = 0
    for (k, o) in others.enumerated() {
      all.append(contentsOf: samples[d..<samplesBefore[k]])
      d = samplesBefore[k]
      all.append(o)
    }
    all.append(contentsOf: samples[d...])
    return all
  }

  private static func observation(_ t: Int64, _ total: Int64) -> Observation {
    Observation(time: Milliseconds(t), event: .delivered(Micrograms(total)))
  }

  public mutating func append(_ event: ObservedEvent, at t: Milliseconds) {
    if case .delivered(let m) = event {
      appendDelivered(m, at: t)
    } else {
      others.append(Observation(time: t, event: event))
      samplesBefore.append(delivered.count + replaced.count)
    }
  }

  /// `append(.delivered(m), at: t)`, without building the event.
  @inline(__always)
  public mutating func appendDelivered(_ m: Micrograms, at t: Milliseconds) {
    if let last = delivered.last, last.time >= t.rawValue {
      if last.time == t.rawValue {
        replaced.append((delivered.count - 1, last.total))
        delivered[delivered.count - 1].total = m.rawValue
        return
      }
      deliveredIncreasing = false
    }
    delivered.append(DeliveredPoint(time: t.rawValue, total: m.rawValue))
  }

  /// Room for `n` delivered samples (and vitals fed, when captured) and `others` other records:
  /// a run that knows how many it will make appends without growing.
  public mutating func reserveCapacity(_ n: Int, others: Int = 0) {
    delivered.reserveCapacity(n)
    if others > 0 {
      self.others.reserveCapacity(others)
      samplesBefore.reserveCapacity(others)
    }
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
