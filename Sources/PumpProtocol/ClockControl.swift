import PumpCore

/// Service-role clock control for tests (`CLOCK` frame).
public enum ClockControl: Hashable, Sendable {
  /// `ADVANCE,<ms>` 1…86400000: advance the virtual clock.
  case advance(Milliseconds)
  /// `MODE,<REAL|VIRTUAL>`: run from wall time, or only when advanced.
  case mode(ClockMode)
}

/// How the simulator's clock runs. Wire value: the raw value.
public enum ClockMode: String, Hashable, Sendable {
  case real = "REAL"
  case virtual = "VIRTUAL"
}
