import PumpCore
import PumpPatient
import PumpProtocol

/// The values a trace can read from the pump (`expect value <name> …`), sampled at the
/// instants the delivered total is sampled (docs/TRACES.md, "Values"). Offline from the
/// controller's telemetry (`Telemetry(PumpController)`), online from the STATUS reply: the
/// same fields, the same instants, so a value reads the same both ways.
public struct PumpValues: Hashable, Sendable {
  public var lockoutRemaining: Milliseconds
  public var reservoir: Microliters
  public var downstreamPressure: MilliPSI
  public var upstreamPressure: MilliPSI
  /// Age of the newest vitals sample (nil: none received).
  public var vitalsAge: Milliseconds?
  public var delivered1h: Micrograms
  public var delivered4h: Micrograms
  /// The longest audio pause left on an active silenceable alarm (0: none).
  public var audioPauseRemaining: Milliseconds
  /// The alarm the pump annunciates (highest priority, then earliest raised), nil: none.
  public var annunciated: AlarmCode?
  /// The active basal rate (offline only: STATUS does not carry it, docs/PROTOCOL.md §4.5).
  public var basalRate: MicrogramsPerHour?

  /// The values a STATUS reply (or the controller's telemetry) carries; `basalRate` is not
  /// among them.
  public init(_ t: Telemetry, basalRate: MicrogramsPerHour? = nil) {
    lockoutRemaining = t.lockoutRemaining
    reservoir = t.reservoir
    downstreamPressure = t.downstreamPressure
    upstreamPressure = t.upstreamPressure
    vitalsAge = t.vitalsAge
    delivered1h = t.delivered1h
    delivered4h = t.delivered4h
    audioPauseRemaining = t.alarms.map(\.audioPauseRemaining).max() ?? .zero
    annunciated = t.alarms.first?.code
    self.basalRate = basalRate
  }
}

/// A value a trace names in `expect value <name> …`.
public enum ValueName: String, Hashable, Sendable, CaseIterable {
  case lockoutRemaining = "lockout-remaining"
  case reservoir
  case pressureDownstream = "pressure-downstream"
  case pressureUpstream = "pressure-upstream"
  case vitalsAge = "vitals-age"
  case delivered1h = "delivered-1h"
  case delivered4h = "delivered-4h"
  case audioPauseRemaining = "audio-pause-remaining"
  case basalRate = "basal-rate"
  case plasmaConcentration = "plasma-concentration"
  case effectConcentration = "effect-concentration"
  case pain

  /// The names in trace spelling, for lookups and error messages.
  public static let table: [(String, ValueName)] = allCases.map { ($0.rawValue, $0) }

  /// What unit the quantity after the comparison takes.
  public enum Unit: Sendable {
    case duration
    case quantity(Quantity.Dimension)
    /// A decimal number with up to 3 decimals, kept in thousandths (ng/mL, NRS 0–10).
    case decimal(suffix: String?)
  }

  public var unit: Unit {
    switch self {
    case .lockoutRemaining, .vitalsAge, .audioPauseRemaining: .duration
    case .reservoir: .quantity(.volume)
    case .pressureDownstream, .pressureUpstream: .quantity(.pressure)
    case .delivered1h, .delivered4h: .quantity(.mass)
    case .basalRate: .quantity(.massRate)
    case .plasmaConcentration, .effectConcentration: .decimal(suffix: "ng/mL")
    case .pain: .decimal(suffix: nil)
    }
  }

  /// True for the patient-model values (read from `ObservedEvent.patient` samples).
  public var isPatient: Bool {
    switch self {
    case .plasmaConcentration, .effectConcentration, .pain: true
    default: false
    }
  }

  /// The value in its base unit (thousandths for decimals) from a pump sample, nil when the
  /// sample does not carry it.
  public func read(_ v: PumpValues) -> Int64? {
    switch self {
    case .lockoutRemaining: v.lockoutRemaining.rawValue
    case .reservoir: v.reservoir.rawValue
    case .pressureDownstream: v.downstreamPressure.rawValue
    case .pressureUpstream: v.upstreamPressure.rawValue
    case .vitalsAge: v.vitalsAge?.rawValue
    case .delivered1h: v.delivered1h.rawValue
    case .delivered4h: v.delivered4h.rawValue
    case .audioPauseRemaining: v.audioPauseRemaining.rawValue
    case .basalRate: v.basalRate?.rawValue
    case .plasmaConcentration, .effectConcentration, .pain: nil
    }
  }

  /// The value in thousandths from a patient sample (nil for pump values).
  public func read(_ p: PatientVitals) -> Int64? {
    func milli(_ x: Double) -> Int64 { Int64((x * 1000).rounded()) }
    switch self {
    case .plasmaConcentration: return milli(p.plasma)
    case .effectConcentration: return milli(p.effectSite)
    case .pain: return milli(p.pain)
    default: return nil
    }
  }

  /// A value in this name's unit for messages (`12 µL`, `5min`, `1.250 ng/mL`).
  public func format(_ x: Int64) -> String {
    switch unit {
    case .duration: return TraceTime.formatDuration(Milliseconds(x))
    case .quantity(let d):
      switch d {
      case .volume: return "\(x) µL"
      case .pressure: return "\(x) milli-psi"
      case .mass: return TraceChecker.mg(x)
      case .massRate: return "\(x) µg/h"
      default: return "\(x)"
      }
    case .decimal(let suffix):
      let sign = x < 0 ? "-" : ""
      let a = abs(x)
      let f = a % 1000
      let frac = f < 10 ? "00\(f)" : f < 100 ? "0\(f)" : "\(f)"
      return "\(sign)\(a / 1000).\(frac)" + (suffix.map { " \($0)" } ?? "")
    }
  }
}

/// A state a trace can claim at an instant, over a span or never (`expect mode M throughout
/// …`, `expect alarm X never until T`, `expect value reservoir ≥ 10 mL throughout …`).
public enum StateClaim: Hashable, Sendable {
  case mode(ModePattern)
  case motorStopped
  case motorRunning
  /// The alarm is active.
  case alarm(AlarmCode)
  /// The alarm is active and acknowledged.
  case alarmAcknowledged(AlarmCode)
  /// The alarm is the one the pump annunciates (a sampled value).
  case alarmAnnunciated(AlarmCode)
  /// A sampled value compares with `limit` (base unit; thousandths for decimals).
  case value(ValueName, Comparison, Int64)

  /// True when the claim reads sampled values (`PumpValues` or patient samples).
  public var isSampled: Bool {
    switch self {
    case .alarmAnnunciated, .value: true
    default: false
    }
  }
}

/// Over which instants a `StateClaim` is judged.
public enum ClaimSpan: Hashable, Sendable {
  /// At the instant (after everything at it).
  case at(Milliseconds)
  /// At some instant in [t, t + W].
  case within(Milliseconds)
  /// At every instant in [from, to] (`to` nil: the run's end).
  case throughout(from: Milliseconds, to: Milliseconds?)
  /// At no instant in [from, to] (`to` nil: the run's end).
  case never(from: Milliseconds, to: Milliseconds?)
}

/// An observation a window can start from (`… within W of alarm X`): the first such
/// observation at or after the expectation line's time.
public enum ObservationAnchor: Hashable, Sendable {
  /// The alarm raised (with this priority, when named).
  case alarm(AlarmCode, priority: AlarmPriority?)
  /// A mode matching the pattern entered.
  case mode(ModePattern)
  /// A bolus decision: a grant, or a denial (for the reason, when named).
  case bolus(granted: Bool, denial: BolusDenial?)

  public var text: String {
    switch self {
    case .alarm(let a, let p):
      "alarm \(TraceNames.name(a))" + (p.map { " priority \(TraceNames.name($0))" } ?? "")
    case .mode(let m): "mode \(TraceNames.name(m))"
    case .bolus(let g, let d):
      g ? "bolus granted" : "bolus denied" + (d.map { "(\(TraceNames.name($0)))" } ?? "")
    }
  }

  /// True when `e` is this anchor's observation.
  public func matches(_ e: ObservedEvent) -> Bool {
    switch (self, e) {
    case (.alarm(let a, let p), .alarmRaised(let b, let q)): a == b && (p == nil || p == q)
    case (.mode(let m), .mode(let n, _)): m.matches(n)
    case (.bolus(let g, _), .bolusGranted): g
    case (.bolus(let g, let d), .bolusDenied(let r)): !g && (d == nil || d == r)
    default: false
    }
  }
}
