import PumpCore
import PumpHardware
import PumpProtocol

/// One thing a trace does to the pump at a time. Each action has the protocol role that would
/// carry it over the wire (`TraceAction+Wire.swift`), so an online driver can send the same
/// trace to pumpsim.
public enum TraceAction: Hashable, Sendable {
  /// One patient-monitor sample (any subset of the vitals).
  case vitals(VitalsSample)
  /// A run of samples from a generator line or a CSV file, expanded lazily by `TraceRunner`.
  indirect case vitalsSeries(VitalsSeries)
  /// The patient pressed the handset button.
  case press
  case clinician(ClinicianCommand)
  case inject(HardwareInjection)
  /// Power fails (the mechanism stops; nothing runs until power returns).
  case powerLost
  /// Power returns; the controller restarts from its state at the outage and self-tests.
  case powerRestored(selfTestPassed: Bool)
  /// The host link goes down or comes back (`PumpEvent.hostLink`).
  case hostLink(connected: Bool)
  /// The clock jumps ahead by this much with nothing else happening (event-driven: the
  /// controller still does every piece of work it has scheduled on the way).
  case clockAdvance(Milliseconds)
  /// An action sent in another protocol role than its own (`12s pause as patient`): online
  /// on that role's session. Both drivers refuse it with NAK 08 role-forbidden when the
  /// protocol's permission table (`RequestKind.permission`, the one the firmware's session
  /// applies) does not allow the role; offline that table is checked, nothing else.
  indirect case asRole(TraceAction, Role)
  /// Bytes written as they are to the serial line (`raw "…"`, online only: offline skipped
  /// with the reason in the result).
  case raw([UInt8])
  /// The role's session is closed (online only; the next request in that role logs in again).
  case disconnect(Role)
}

/// What a clinician does at the pump (the clinician role).
public enum ClinicianCommand: Hashable, Sendable {
  /// Program the header's prescription (soft-limit violations then need `confirm`).
  case program
  /// Program the header's prescription with these fields changed (`program basal=4mg/h
  /// bolus=0.02mg/kg lockout=15min`): re-programming mid-trace, any field, per-kg too.
  case reprogram([PrescriptionChange])
  case confirm
  case start
  case pause
  case resume
  case stop
  /// Titrate the basal rate.
  case rate(MicrogramsPerHour)
  /// A clinician bolus of this dose.
  case bolus(Micrograms)
  /// Acknowledge every active alarm.
  case acknowledge
  /// Pause alarm audio (at most the profile's maximum).
  case audioPause
  /// Reset after a vitals interlock stop.
  case reset
}
