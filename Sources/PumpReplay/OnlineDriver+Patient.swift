import PumpCore
import PumpHost
import PumpPatient
import PumpProtocol
import PumpTrace

/// Online replay with a simulated patient (docs/TRACES.md, "Online replay with a patient"): the
/// pumpsim arguments a trace's `patient:` header asks for, the check that a running pump has
/// that patient, and the patient's state read over the wire (`PATIENT`) at every sample instant
/// and logged as `.patient`, as offline replay logs the model's.
extension OnlineDriver {
  /// `pumpsim run` arguments for `patient`: its file `<profiles>/patients/<id>.yaml`, its seed
  /// and its monitor (the header's `patient:`, `patient-seed:`, `patient-monitor:`).
  public static func pumpsimArguments(for patient: TracePatient, profiles: String) -> [String] {
    [
      "--patient", "\(profiles)/patients/\(patient.profile.id).yaml", "--patient-seed",
      "\(patient.seed)", "--patient-monitor", patient.monitor.rawValue,
    ]
  }

  /// Why the pump's simulated patient is not the trace's, or nil when it is: the same profile
  /// id and seed, at pump time 0 (a fresh `--clock virtual` pump), or no patient on either side.
  /// The monitor (`--patient-monitor`) is not on the wire and cannot be checked.
  static func patientMismatch(trace: TracePatient?, pump: PatientReadout?) -> String? {
    switch (trace, pump) {
    case (nil, nil): return nil
    case (nil, let p?):
      return
        "the pump has a simulated patient (\(p.profileID), seed \(p.seed)) but the trace names none: start pumpsim without --patient, or use --spawn-pumpsim"
    case (let t?, nil):
      return
        "the trace names patient \(t.profile.id) (seed \(t.seed)) but the pump has no simulated patient: start pumpsim with --patient HardwareProfiles/patients/\(t.profile.id).yaml --patient-seed \(t.seed) --patient-monitor \(t.monitor.rawValue) --clock virtual, or use --spawn-pumpsim"
    case (let t?, let p?):
      if p.profileID != t.profile.id || p.seed != t.seed {
        return
          "the pump's simulated patient is \(p.profileID) seed \(p.seed), the trace's \(t.profile.id) seed \(t.seed): start pumpsim with --patient HardwareProfiles/patients/\(t.profile.id).yaml --patient-seed \(t.seed), or use --spawn-pumpsim"
      }
      if p.time != .zero {
        return
          "the pump's simulated patient is already at \(p.time.rawValue) ms of pump time, not 0: start pumpsim with --clock virtual (a fresh pump)"
      }
      return nil
    }
  }

  /// Checks at the begin that the pump's patient is the trace's (`patientMismatch`).
  func checkPatient() throws(TraceError) {
    if let t = setup.patient, t.individual != t.profile.typical {
      throw TraceError(
        file: "", line: 0, column: 0,
        message:
          "online replay runs the patient file's typical individual (pumpsim has no cohort member); replay cohorts offline"
      )
    }
    let pumpPatient: PatientReadout?
    do { pumpPatient = try pump.patient() } catch {
      throw TraceError(file: "", line: 0, column: 0, message: "PATIENT: \(error)")
    }
    if let why = Self.patientMismatch(trace: setup.patient, pump: pumpPatient) {
      throw TraceError(file: "", line: 0, column: 0, message: why)
    }
  }

  /// At a sample instant of a trace with a patient: PATIENT, logged as `.patient` at `t` (the
  /// values are the patient's at its last 1-s grid instant ≤ t, to the wire's resolution).
  mutating func recordPatient(at t: Milliseconds, log: inout ObservationLog) {
    guard setup.patient != nil, failure == nil else { return }
    appendPatients(upTo: t, log: &log)
    do {
      guard let p = try pump.patient() else {
        failure = "PATIENT: the pump has no simulated patient any more"
        return
      }
      log.append(.patient(PatientVitals(p)), at: t)
    } catch {
      failure = "PATIENT: \(error)"
    }
  }
}

/// The patient between samples (docs/TRACES.md, "Patient values between instants"): offline logs
/// the patient at every grid instant, so an expectation judging a patient value over a span
/// (`within`, `throughout`, `never`) sees every second of it; online reads it there too.
extension OnlineDriver {
  /// The closed spans, merged and ascending, over which an expectation of `trace` judges a
  /// patient value (pain, plasma-/effect-concentration) at every instant: `within W` of its
  /// time (or of its label's), `throughout`/`never` from … to (the end when open), and from
  /// the line's time to the end for a window starting at an observation (not known before the
  /// run). A value claimed `at` an instant is read at that instant (`Trace.instants`).
  public static func patientSpans(_ trace: Trace) -> [(from: Milliseconds, to: Milliseconds)] {
    let end = trace.end
    var spans: [(from: Milliseconds, to: Milliseconds)] = []
    func add(_ x: Expectation, at t: Milliseconds) {
      switch x {
      case .state(.value(let n, _, _), let span) where n.isPatient:
        switch span {
        case .at: break
        case .within(let w): spans.append((t, t + w))
        case .throughout(let from, let to), .never(let from, let to):
          spans.append((from, max(to ?? end, from)))
        }
      case .anchored(let inner, let at, _): add(inner, at: at)
      case .observed(let inner, _, _):
        if case .value(let n, _, _)? = inner.claim, n.isPatient { spans.append((t, max(end, t))) }
      default: break
      }
    }
    for x in trace.expectations { add(x.expectation, at: x.time) }
    spans.sort { $0.from < $1.from }
    var merged: [(from: Milliseconds, to: Milliseconds)] = []
    for s in spans {
      if let last = merged.last, s.from <= last.to {
        merged[merged.count - 1].to = max(last.to, s.to)
      } else {
        merged.append(s)
      }
    }
    return merged
  }

  /// Reads the patient at every grid instant (multiples of `patientPeriod`) after the pump's
  /// clock and before `target` that lies in a `patientSpan`, moving the clock there: runs of
  /// consecutive instants go out pipelined (`OnlinePump.patientCourse`), the gaps between them
  /// in plain `CLOCK ADVANCE` steps. The readouts wait in `sweptPatients` for the next sample.
  mutating func sweepPatient(before target: Milliseconds) {
    guard !patientSpans.isEmpty, failure == nil, pumpTime < target else { return }
    let p = patientPeriod.rawValue
    var run: [Milliseconds] = []
    for s in patientSpans where s.to >= pumpTime && s.from < target {
      let from = max(s.from.rawValue, pumpTime.rawValue + 1)
      var g = (from + p - 1) / p * p
      let last = min(s.to.rawValue, target.rawValue - 1)
      while g <= last {
        if let prev = run.last, g - prev.rawValue != p || run.count >= 4096 {
          readCourse(run)
          run.removeAll(keepingCapacity: true)
          if failure != nil { return }
        }
        run.append(Milliseconds(g))
        g += p
      }
    }
    readCourse(run)
  }

  /// Moves the clock to each of `instants` (ascending, one grid period apart) reading the
  /// patient at each.
  private mutating func readCourse(_ instants: [Milliseconds]) {
    guard let first = instants.first, failure == nil else { return }
    stepClock(to: first - maxClockStep)
    guard failure == nil else { return }
    var steps: [Milliseconds] = []
    steps.reserveCapacity(instants.count)
    var at = pumpTime
    for g in instants {
      steps.append(g - at)
      at = g
    }
    let read: [PatientReadout]
    do { read = try pump.patientCourse(steps) } catch {
      failure = "PATIENT from \(first.rawValue) ms on: \(error)"
      return
    }
    pumpTime = at
    for (g, r) in zip(instants, read) {
      guard r.time == g else {
        failure = "PATIENT at \(g.rawValue) ms: the patient is at \(r.time.rawValue) ms"
        return
      }
      sweptPatients.append((g, PatientVitals(r)))
    }
  }

  /// After an action that samples nothing at `t` (refused by an unpowered pump, nothing to
  /// send): the patient at `t` when `t` lies in a `patientSpan` (the next sweep starts after `t`).
  mutating func readPatientInSpan(at t: Milliseconds) {
    guard failure == nil, patientSpans.contains(where: { $0.from <= t && t <= $0.to }) else {
      return
    }
    do {
      guard let p = try pump.patient() else {
        failure = "PATIENT: the pump has no simulated patient any more"
        return
      }
      sweptPatients.append((t, PatientVitals(p)))
    } catch {
      failure = "PATIENT: \(error)"
    }
  }

  /// Logs the swept readouts up to `t` (before a sample's observations at or after them, so
  /// the log stays in time order).
  mutating func appendPatients(upTo t: Milliseconds, log: inout ObservationLog) {
    guard let first = sweptPatients.first, first.0 <= t else { return }
    let n = sweptPatients.prefix(while: { $0.0 <= t }).count
    for (g, v) in sweptPatients.prefix(n) { log.append(.patient(v), at: g) }
    sweptPatients.removeFirst(n)
  }
}

extension OnlinePump {
  /// The pump's simulated patient (`PATIENT` on the session STATUS uses), nil when it has none.
  public func patient() throws(ClientError) -> PatientReadout? {
    let reply = try query(.patient)
    switch reply.result {
    case .ack(.patient(let p)): return p
    case .nak(let n) where PumpClient.meansNoPatient(n): return nil
    case .nak(let n): throw .nak(.patient, n)
    case .ack: throw .linkLost("PATIENT answered with another kind")
    }
  }
}

extension PatientVitals {
  /// The values of a PATIENT reply, in their units (tenths → ng/mL, NRS, /min, mmHg, %).
  public init(_ r: PatientReadout) {
    func v(_ t: Int64) -> Double { PatientReadout.value(tenths: t) }
    self.init(
      hr: v(r.hrTenths), sbp: v(r.sbpTenths), dbp: v(r.dbpTenths), spo2: v(r.spo2Tenths),
      rr: v(r.rrTenths), pain: v(r.painTenths), dissociation: v(r.dissociationTenths),
      plasma: v(r.plasmaTenths), effectSite: v(r.effectSiteTenths))
  }

  /// True when `self` and `other` agree at the wire's resolution: every value rounded to
  /// tenths the way PATIENT rounds it (`PatientReadout.tenths`) is equal. This is how online
  /// replay's patient samples (read over the wire) are compared with offline ones (the
  /// model's doubles): a value that is the same double on both sides always agrees, and no
  /// difference finer than the wire carries is reported.
  public func agreesAtWireResolution(with other: PatientVitals) -> Bool {
    let t = PatientReadout.tenths
    return t(hr) == t(other.hr) && t(sbp) == t(other.sbp) && t(dbp) == t(other.dbp)
      && t(spo2) == t(other.spo2) && t(rr) == t(other.rr) && t(pain) == t(other.pain)
      && t(dissociation) == t(other.dissociation) && t(plasma) == t(other.plasma)
      && t(effectSite) == t(other.effectSite)
  }
}
