/// When the super-loop must next run one pump (`Firmware.wake(monoMillis:)`), all instants on the
/// monotonic clock in ms. Input (a host's bytes) wakes the loop whatever this says.
public struct FirmwareWake: Equatable, Sendable {
  /// The pump needs the fixed control tick: a motor is commanded or still moving, or a control
  /// deadline falls within one tick. Every pass of a ticking pump is due, so a late one is a
  /// stall (watchdog).
  public var ticking: Bool
  /// The next control step (a controller or hardware deadline mapped through the clock): a pass
  /// later than this is a late control step (watchdog). nil: none, or the clock is virtual.
  public var controlDue: Int64?
  /// The next pass for the pump's bookkeeping only (a session's heartbeat timeout or telemetry
  /// frame, the idle alive mark): late is no stall. nil: none.
  public var housekeeping: Int64?

  public init(ticking: Bool, controlDue: Int64?, housekeeping: Int64?) {
    self.ticking = ticking
    self.controlDue = controlDue
    self.housekeeping = housekeeping
  }

  /// Nothing to do until input arrives.
  public static let never = FirmwareWake(ticking: false, controlDue: nil, housekeeping: nil)

  /// The earliest instant of `controlDue` and `housekeeping` (nil: sleep until input).
  public var earliest: Int64? {
    switch (controlDue, housekeeping) {
    case (let c?, let h?): min(c, h)
    case (let c?, nil): c
    case (nil, let h?): h
    case (nil, nil): nil
    }
  }
}
