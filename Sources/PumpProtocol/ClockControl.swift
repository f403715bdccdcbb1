import PumpCore

/// Service-role clock control for tests (`CLOCK` frame).
public enum ClockControl: Hashable, Sendable {
  /// `ADVANCE,<ms>` 1…86400000: advance the virtual clock.
  case advance(Milliseconds)
  /// `MODE,<REAL|VIRTUAL>`: run from wall time, or only when advanced.
  case mode(ClockMode)
  /// `VITALS,<ms>,<SBP>,<DBP>,<HR>,<SpO2>,<RR>`: advance the virtual clock by ms (1…86400000),
  /// then take the sample at the new time exactly as a `VITALS` request (fields as there);
  /// answered as `STATUS` is, with the pump after the sample. Virtual clock only (else
  /// `NAK 14`): a test harness replaying a monitor feed sends one frame per sample, so a run
  /// of 1 Hz samples can be pipelined on one session (docs/PROTOCOL.md §4.3.2). It can never
  /// raise a dose: vitals only warn, stop, deny or clear.
  case advanceWithVitals(Milliseconds, VitalsSample)
}

/// How the simulator's clock runs. Wire value: the raw value.
public enum ClockMode: String, Hashable, Sendable {
  case real = "REAL"
  case virtual = "VIRTUAL"
}
