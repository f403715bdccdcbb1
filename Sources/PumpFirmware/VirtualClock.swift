import PumpCore
import PumpProtocol

/// The pump's virtual time, ms, from the monotonic clock: real time (×1), fast (×N), or
/// virtual (moves only when a service host sends `CLOCK ADVANCE`). Continuous across restarts:
/// the firmware starts it at the boot instant it computed from the journal.
public struct VirtualClock: Sendable {
  /// How wall time maps to pump time.
  public enum Speed: Hashable, Sendable {
    case real
    /// N× faster than wall time (1…10000).
    case fast(Int64)

    public var factor: Int64 {
      switch self {
      case .real: 1
      case .fast(let n): n
      }
    }
  }

  public let speed: Speed
  public private(set) var mode: ClockMode = .real
  private var base: Milliseconds
  private var baseMono: Int64

  /// A clock reading `start` at monotonic instant `mono` (ms).
  public init(speed: Speed, start: Milliseconds, mono: Int64) {
    self.speed = speed
    base = start
    baseMono = mono
  }

  /// Pump time at monotonic instant `mono`.
  public func now(mono: Int64) -> Milliseconds {
    switch mode {
    case .real: base + Milliseconds(max(mono - baseMono, 0) * speed.factor)
    case .virtual: base
    }
  }

  /// Switches mode at `mono`, keeping the time continuous.
  public mutating func set(_ m: ClockMode, mono: Int64) {
    base = now(mono: mono)
    baseMono = mono
    mode = m
  }

  /// Moves a virtual clock forward (a running clock is moved too: its base shifts).
  public mutating func advance(by d: Milliseconds) {
    base = base + Milliseconds(max(d.rawValue, 0))
  }
}
