import Logging
import PumpCore
import PumpPatient
import PumpPatientLoop
import PumpProtocol
import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// What the simulated patient looks like at one instant, for pumpsim's log (`--json`: one
/// `"event":"patient"` line). Not on the wire.
public struct PatientReport: Sendable, Equatable {
  public enum Reason: String, Sendable {
    /// Every minute of pump time.
    case minute
    /// The patient pressed the button (`granted` says what the pump answered).
    case press
  }
  public var t: Milliseconds
  public var reason: Reason
  public var vitals: PatientVitals
  public var presses: Int64
  public var grants: Int64
  /// For a press: whether the pump granted it.
  public var granted: Bool?
}

extension PatientReadout {
  /// `patient`'s true state at its instant, each value rounded to tenths (`tenths(_:)`), with
  /// the presses, profile and seed of `record`.
  public init(_ patient: Patient, record: PatientRecord) {
    let v = patient.vitals
    self.init(
      time: patient.now, plasmaTenths: Self.tenths(v.plasma),
      effectSiteTenths: Self.tenths(v.effectSite), painTenths: Self.tenths(v.pain),
      dissociationTenths: Self.tenths(v.dissociation), hrTenths: Self.tenths(v.hr),
      sbpTenths: Self.tenths(v.sbp), dbpTenths: Self.tenths(v.dbp),
      spo2Tenths: Self.tenths(v.spo2), rrTenths: Self.tenths(v.rr), presses: record.presses,
      profileID: record.profileID, seed: record.seed)
  }
}

/// pumpsim's simulated patient (`--patient`): a `PatientCoupling` stepped on the firmware's
/// pump time (`FirmwareWorld`). Each grid instant the drug the mechanism moved enters the
/// patient; its monitor sample goes to the pump as a `VITALS` input would (`.vitals`, journaled,
/// the controller's artefact and staleness rules apply), each press as a handset press
/// (`.patientBolusRequest`, journaled). Its own state lives beside the journal in
/// `patient.state` (`PatientRecord`), saved at most once a minute of pump time (and once a
/// second of wall time) and at power-off, and resumed at the next start.
public final class PatientWorld: FirmwareWorld {
  public static let fileName = "patient.state"
  public static var reportEvery: Milliseconds { .minutes(1) }
  public static var saveEvery: Milliseconds { .minutes(1) }

  public private(set) var coupling: PatientCoupling
  public private(set) var record: PatientRecord
  /// How the patient came up: a sentence for the log (started, resumed, or why not resumed).
  public let startNote: String
  /// Monitor samples handed to the pump since this process started.
  public private(set) var samplesSent: Int64 = 0
  public let path: String
  let onReport: (PatientReport) -> Void
  var nextReport: Milliseconds
  var lastSave: Milliseconds
  var lastSaveMono: Int64? = nil
  var pendingPresses = 0
  /// The last save error, if the last save failed (logged once per distinct error).
  public private(set) var lastError: String? = nil
  let logger: Logger

  /// A patient for `firmware` (powered on, not yet attached): resumed from `patient.state` in
  /// its state directory when that file is this patient's (same profile and seed) and not ahead
  /// of the pump, otherwise started from baseline at the pump's time, with the reason in
  /// `startNote`. Attach it with `firmware.attach(_:)`.
  public init(
    profile: PatientProfile, seed: UInt64, monitor: MonitorSettings, firmware: Firmware,
    monoMillis: Int64, onReport: @escaping (PatientReport) -> Void = { _ in }
  ) {
    let t0 = firmware.now(mono: monoMillis)
    let rig = firmware.machine.rig
    let steps0 = rig.hardware.totalSteps
    let spm = rig.hardware.profile.stepsPerMilliliter
    let step = monitor.continuousPeriod
    let individual = profile.typical
    path = firmware.config.stateDirectory + "/" + Self.fileName
    self.onReport = onReport
    logger = firmware.logger
    var note = "patient \(profile.id) seed \(seed): started from baseline at \(t0.rawValue) ms"
    var resumed: (PatientCoupling, PatientRecord)? = nil
    switch Self.read(path) {
    case .none: break
    case .failure(let why):
      note = "patient state \(path): \(why); " + note
    case .success(let rec):
      if rec.profileID != profile.id || rec.seed != seed {
        note =
          "patient state \(path) is patient \(rec.profileID) seed \(rec.seed), not this one; "
          + note
      } else if rec.now > t0 || rec.mechanismSteps > steps0 {
        note =
          "patient state \(path) is ahead of the pump (patient at \(rec.now.rawValue) ms, pump at \(t0.rawValue) ms: journal reset?); "
          + note
      } else {
        var c = rec.rebuild(
          individual, monitor: monitor, stepsPerMilliliter: spm, step: step)
        let conc =
          firmware.machine.controller.prescription?.concentration ?? MicrogramsPerMilliliter(0)
        var r = rec
        let ug = c.resume(to: t0, mechanismSteps: steps0, concentration: conc)
        r.received(ug, endingAt: t0)
        resumed = (c, r)
        note =
          "patient \(profile.id) seed \(seed): resumed from \(path) at \(rec.now.rawValue) ms, caught up to \(t0.rawValue) ms (\(ug) µg delivered meanwhile)"
      }
    }
    if let (c, r) = resumed {
      coupling = c
      record = r
    } else {
      coupling = PatientCoupling(
        patient: Patient(individual, monitor: monitor, seed: seed, start: t0),
        stepsPerMilliliter: spm, mechanismSteps: steps0, step: step)
      record = PatientRecord(profileID: profile.id, seed: seed, start: t0)
    }
    startNote = note
    nextReport = t0
    lastSave = t0
    sync()
  }

  public var nextInstant: Milliseconds { coupling.nextInstant }

  /// The PATIENT reply (docs/PROTOCOL.md §4.2.2): the true state at the patient's last grid
  /// instant, at the wire's resolution (`PatientReadout.tenths`). Reading it changes nothing.
  public var readout: PatientReadout { PatientReadout(coupling.patient, record: record) }

  public func advance(
    to t: Milliseconds, mechanismSteps: Int64, concentration: MicrogramsPerMilliliter
  ) -> [FirmwareInput] {
    let before = coupling.handedOver
    let (_, out, events) = coupling.step(mechanism: (mechanismSteps, concentration))
    record.received(coupling.handedOver - before, endingAt: t)
    record.presses += Int64(out.presses)
    if out.sample != nil { samplesSent += 1 }
    pendingPresses = out.presses
    let inputs = events.map { FirmwareInput.event($0) }
    if t >= nextReport {
      report(.minute, at: t, granted: nil)
      while nextReport <= t { nextReport = nextReport + Self.reportEvery }
    }
    if t - lastSave >= Self.saveEvery {
      let mono = monotonicMillis()
      if lastSaveMono.map({ mono - $0 >= 1000 }) ?? true {
        save()
        lastSave = t
        lastSaveMono = mono
      }
    }
    return inputs
  }

  public func answered(_ results: [CommandResult], at t: Milliseconds, controller: PumpController) {
    guard pendingPresses > 0 else { return }
    for r in results.suffix(pendingPresses) {
      let granted: Bool
      if case .accepted = r { granted = true } else { granted = false }
      if granted { record.grants += 1 }
      report(.press, at: t, granted: granted)
    }
    pendingPresses = 0
  }

  public func poweringOff(at t: Milliseconds) { save() }

  private func report(_ reason: PatientReport.Reason, at t: Milliseconds, granted: Bool?) {
    onReport(
      PatientReport(
        t: t, reason: reason, vitals: coupling.patient.vitals, presses: record.presses,
        grants: record.grants, granted: granted))
  }

  private func sync() {
    record.now = coupling.patient.now
    record.handedOver = coupling.handedOver
    record.remainder = coupling.remainder
    record.mechanismSteps = coupling.mechanismSteps
  }

  /// Writes `patient.state` atomically (temporary file, rename). An error is kept in
  /// `lastError`; the patient runs on regardless (it is the world, not the pump).
  public func save() {
    sync()
    let tmp = path + ".tmp"
    do {
      let fd = try FileDescriptor.open(
        FilePath(tmp), .writeOnly, options: [.create, .truncate],
        permissions: [.ownerReadWrite])
      try fd.closeAfter { _ = try fd.writeAll(Array(record.text.utf8)) }
      guard rename(tmp, path) == 0 else { throw Errno(rawValue: errno) }
      if lastError != nil { logger.notice("patient state: \(path) written again") }
      lastError = nil
    } catch {
      let e = "patient state: cannot write \(path): \(error); the patient runs on, unsaved"
      if e != lastError { logger.error("\(e)") }
      lastError = e
    }
  }

  enum ReadResult {
    case none
    case failure(String)
    case success(PatientRecord)
  }

  static func read(_ path: String) -> ReadResult {
    let fd: FileDescriptor
    do { fd = try FileDescriptor.open(FilePath(path), .readOnly) } catch {
      if let e = error as? Errno, e == .noSuchFileOrDirectory { return .none }
      return .failure("cannot read (\(error))")
    }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    do {
      try fd.closeAfter {
        while bytes.count <= 16 << 20 {
          let n = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
          if n == 0 { break }
          bytes += buffer[0..<n]
        }
      }
    } catch { return .failure("cannot read (\(error))") }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      return .failure("not UTF-8 text")
    }
    do { return .success(try PatientRecord(text: text)) } catch {
      return .failure("corrupt (\(error))")
    }
  }
}
