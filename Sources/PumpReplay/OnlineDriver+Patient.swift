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
