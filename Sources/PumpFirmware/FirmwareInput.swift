import PumpCore
import PumpProtocol

/// Everything that changes the pump's state from outside the control step: what the firmware
/// journals (as typed domain records, never wire text) and what a restart applies after the
/// newest snapshot, in order, at the same instants. Nothing else may change the rig, so the
/// journal rebuilds the state exactly (docs/FIRMWARE.md).
public enum FirmwareInput: Hashable, Sendable {
  /// A controller event decoded from a host request (`HostRequest.pumpEvent`).
  case event(PumpEvent)
  /// A service-role hardware injection (`HostRequest.inject`).
  case injection(Injection)
  /// The host session came up or ended (`PumpEvent.hostLink`).
  case hostLink(connected: Bool)
  /// Repeated failed logins on a line, or a clinician/service login since
  /// (`PumpEvent.linkSecurity`).
  case linkSecurity(alert: Bool)
  /// A fault detected by the shell (watchdog, journal).
  case fault(FaultCode)
  /// The power-on self-test result.
  case selfTest(passed: Bool)

  /// The input a request makes, or nil for requests that are not inputs (queries, login, clock).
  public init?(_ request: HostRequest) {
    if let e = request.pumpEvent {
      self = .event(e)
    } else if case .inject(let i) = request {
      self = .injection(i)
    } else {
      return nil
    }
  }

  /// True for requests the firmware journals and applies (controller events and injections);
  /// queries, login and clock requests are not inputs.
  public static func accepts(_ request: HostRequest) -> Bool { FirmwareInput(request) != nil }
}
