import PumpCore

/// A service-role hardware or fault injection (`INJECT` frame). Wire: target name then value.
public enum Injection: Hashable, Sendable {
  /// `UPSTREAM,<milli-psi>` 0…999999: upstream line pressure (0 clears an occlusion).
  case upstreamPressure(MilliPSI)
  /// `DOWNSTREAM,<milli-psi>` 0…999999: downstream line pressure.
  case downstreamPressure(MilliPSI)
  /// `DOOR,<0|1>`: 1 = open.
  case door(open: Bool)
  /// `AIR,<µL>` 0…999999: bubble size passing the air sensor.
  case airBubble(Microliters)
  /// `MAINS,<0|1>`: 1 = mains present, 0 = lost.
  case mains(present: Bool)
  /// `BATTERY,<ms>` 0…999999999: battery run time remaining.
  case batteryRemaining(Milliseconds)
  /// `STALL,<0|1>`: motor stall on/off.
  case motorStall(Bool)
  /// `RUNAWAY,<0|1>`: motor runaway on/off.
  case motorRunaway(Bool)
  /// `SENSORFAIL,<0|1>`: a sensor reports inconsistent values.
  case sensorFailure(Bool)
  /// `RESERVOIR,<µL>` 0…99999999: measured reservoir volume.
  case reservoir(Microliters)
}
