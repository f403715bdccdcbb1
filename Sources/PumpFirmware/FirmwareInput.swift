import PumpCore
import PumpProtocol

/// Everything that changes the pump's state from outside the control step: what the firmware
/// journals and what a restart replays, in order, at the same instants. Nothing else may change
/// the rig, so replaying the journal rebuilds the state exactly (docs/FIRMWARE.md).
public enum FirmwareInput: Hashable, Sendable {
  /// A request that maps to a controller event (`HostRequest.pumpEvent`) or a hardware
  /// injection (`HostRequest.inject`).
  case request(HostRequest)
  /// The host session came up or ended (`PumpEvent.hostLink`).
  case hostLink(connected: Bool)
  /// Repeated failed logins on a line, or a clinician/service login since
  /// (`PumpEvent.linkSecurity`).
  case linkSecurity(alert: Bool)
  /// A fault detected by the shell (watchdog, journal).
  case fault(FaultCode)
  /// The power-on self-test result.
  case selfTest(passed: Bool)

  /// True for requests the firmware journals and applies (controller events and injections);
  /// queries, login and clock requests are not inputs.
  public static func accepts(_ request: HostRequest) -> Bool {
    if request.pumpEvent != nil { return true }
    if case .inject = request { return true }
    return false
  }
}
