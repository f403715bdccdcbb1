import PumpCore
import PumpPatient

/// What pumpsim keeps of its simulated patient across a restart (the patient is the world, not
/// the pump: never in the pump's journal). Facts, not an encoding of the model's internals: who
/// the patient is (profile, seed), where its clock and the drug hand-over stand, its press
/// counts, and the drug it received per minute since its start. `rebuild` replays that history
/// through the exact PK, so the drug in the body is resumed (up to where within each minute it
/// arrived); the physiological noise, monitor and demand streams are replayed with it, on the
/// minute grid, so they continue deterministically but not as the uninterrupted run would have
/// (docs/PATIENT.md "pumpsim").
///
/// Text, one `key value` per line, `history` a comma-separated list of µg per minute.
public struct PatientRecord: Sendable, Equatable {
  public static let magic = "ketapump-patient 1"
  public static let minute = Milliseconds.minutes(1)

  public var profileID: String
  public var seed: UInt64
  /// Pump instant the patient started at.
  public var start: Milliseconds
  /// The patient's clock.
  public var now: Milliseconds
  public var handedOver: Int64
  public var remainder: Int64
  public var mechanismSteps: Int64
  public var presses: Int64
  public var grants: Int64
  /// µg received in each minute since `start` (the last entry: the minute in progress).
  public var history: [Int64]

  public init(profileID: String, seed: UInt64, start: Milliseconds) {
    self.profileID = profileID
    self.seed = seed
    self.start = start
    now = start
    handedOver = 0
    remainder = 0
    mechanismSteps = 0
    presses = 0
    grants = 0
    history = []
  }

  /// Adds `micrograms` received in the step ending at `t`.
  public mutating func received(_ micrograms: Int64, endingAt t: Milliseconds) {
    let minute = Int(max((t - start).rawValue - 1, 0) / Self.minute.rawValue)
    if history.count <= minute {
      history.append(contentsOf: repeatElement(0, count: minute + 1 - history.count))
    }
    history[minute] += micrograms
  }

  /// The record as text.
  public var text: String {
    """
    \(Self.magic)
    profile \(profileID)
    seed \(seed)
    start \(start.rawValue)
    now \(now.rawValue)
    handed-over \(handedOver)
    remainder \(remainder)
    mechanism-steps \(mechanismSteps)
    presses \(presses)
    grants \(grants)
    history \(history.map(String.init).joined(separator: ","))

    """
  }

  /// Why a record text was not accepted.
  public struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
  }

  /// Parses `text`; every problem names its line.
  public init(text: String) throws(Invalid) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.first == Self.magic else {
      throw Invalid(line: 1, reason: "not a patient state file (expected '\(Self.magic)')")
    }
    var fields: [String: (Int, String)] = [:]
    for (i, l) in lines.enumerated().dropFirst() where !l.isEmpty {
      guard let sp = l.firstIndex(of: " ") else {
        throw Invalid(line: i + 1, reason: "expected 'key value'")
      }
      fields[String(l[..<sp])] = (i + 1, String(l[l.index(after: sp)...]))
    }
    func value(_ k: String) throws(Invalid) -> (line: Int, text: String) {
      guard let f = fields[k] else { throw Invalid(line: lines.count, reason: "missing '\(k)'") }
      return f
    }
    func int(_ k: String) throws(Invalid) -> Int64 {
      let f = try value(k)
      guard let x = Int64(f.text) else {
        throw Invalid(line: f.line, reason: "'\(k)': not an integer")
      }
      return x
    }
    let p = try value("profile").text
    guard !p.isEmpty else { throw Invalid(line: lines.count, reason: "missing 'profile'") }
    let sf = try value("seed")
    guard let s = UInt64(sf.text) else {
      throw Invalid(line: sf.line, reason: "'seed': not an integer")
    }
    profileID = p
    seed = s
    start = Milliseconds(try int("start"))
    now = Milliseconds(try int("now"))
    handedOver = try int("handed-over")
    remainder = try int("remainder")
    mechanismSteps = try int("mechanism-steps")
    presses = try int("presses")
    grants = try int("grants")
    let hf = try value("history")
    let hn = hf.line
    let hv = hf.text
    var h: [Int64] = []
    for part in hv.split(separator: ",") {
      guard let x = Int64(part), x >= 0 else {
        throw Invalid(line: hn, reason: "'history': '\(part)' is not a whole number of µg")
      }
      h.append(x)
    }
    history = h
    guard now >= start, remainder >= 0, handedOver == h.reduce(0, +) else {
      throw Invalid(line: hn, reason: "inconsistent: the history does not add up to handed-over")
    }
  }

  /// The patient this record describes, rebuilt: a new `Patient` of `individual` with the
  /// record's seed at `start`, stepped minute by minute with the drug of each minute (exact PK
  /// for a constant rate within the minute), up to `now`.
  public func rebuild(
    _ individual: VirtualPatient, monitor: MonitorSettings, stepsPerMilliliter: Int64,
    step: Milliseconds
  ) -> PatientCoupling {
    var patient = Patient(individual, monitor: monitor, seed: seed, start: start)
    for (i, ug) in history.enumerated() {
      let end = min(start + Milliseconds(Int64(i + 1) * Self.minute.rawValue), now)
      if end > patient.now { _ = patient.advance(to: end, delivered: Micrograms(ug)) }
    }
    if now > patient.now { _ = patient.advance(to: now, delivered: .zero) }
    return PatientCoupling(
      patient: patient, stepsPerMilliliter: stepsPerMilliliter, mechanismSteps: mechanismSteps,
      step: step, remainder: remainder, handedOver: handedOver)
  }
}
