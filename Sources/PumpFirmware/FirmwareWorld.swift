import PumpCore
import PumpProtocol

/// The simulated world outside one pump that lives on pump time (pumpsim's patient). It reaches
/// the pump only through inputs, journaled and applied exactly like a host's (a bedside
/// monitor's `VITALS`, a handset press), at the instants of its own grid. The firmware steps it
/// wherever pump time moves (every pass, `CLOCK ADVANCE`, an input, power-off), interleaved
/// with the rig: at each grid instant the rig catches up to it, the world sees the mechanism
/// there, and its inputs are recorded there. A day-long advance still visits every instant.
///
/// The world is never journaled: it is outside the pump (it keeps its own state file).
public protocol FirmwareWorld: AnyObject {
  /// The next pump instant at which the world acts.
  var nextInstant: Milliseconds { get }
  /// The world at `t` (its `nextInstant`), the mechanism standing at `mechanismSteps` (motor
  /// steps since power-on) with a reservoir of `concentration` (0 when nothing is programmed).
  /// Returns the inputs it gives the pump at `t`, in order.
  func advance(
    to t: Milliseconds, mechanismSteps: Int64, concentration: MicrogramsPerMilliliter
  ) -> [FirmwareInput]
  /// What the pump answered to the inputs of `advance` (same order), and its controller after
  /// them.
  func answered(_ results: [CommandResult], at t: Milliseconds, controller: PumpController)
  /// The pump powers off at `t` (SIGTERM/SIGINT): the world saves what it keeps.
  func poweringOff(at t: Milliseconds)
}
