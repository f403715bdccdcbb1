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
  /// `UPOCCL,<0|1>`: the upstream line is blocked (1: pressure rises from its present value
  /// with every step pushed) or free (0: pressure back to 0). Protocol 1.0 addition.
  case upstreamOcclusion(Bool)
  /// `DOWNOCCL,<0|1>`: as `UPOCCL`, downstream. Protocol 1.0 addition.
  case downstreamOcclusion(Bool)
  /// `POWER,<0|1|2>`: 0 power lost (the mechanism stops, nothing runs until power returns);
  /// 1 power restored, the self-test passes; 2 power restored, the self-test fails.
  /// Protocol 1.0 addition.
  case power(PowerChange)
  /// `LINK,<0|1>`: the host link as the controller sees it (`PumpEvent.hostLink`), without
  /// touching any session. Protocol 1.0 addition.
  case hostLink(connected: Bool)
  /// `FAULT,<FaultCode raw 1…6>`: a fault reported by the firmware shell (`PumpEvent.fault`).
  /// Protocol 1.0 addition.
  case fault(FaultCode)
}

/// A simulated power change (`INJECT POWER`), wire value in brackets.
public enum PowerChange: UInt8, Hashable, Sendable, CaseIterable {
  /// [0] Power fails.
  case lost = 0
  /// [1] Power returns and the power-on self-test passes.
  case restored = 1
  /// [2] Power returns and the power-on self-test fails.
  case restoredSelfTestFailing = 2
}
