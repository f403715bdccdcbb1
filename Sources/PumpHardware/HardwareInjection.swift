import PumpCore

/// A change to the simulated hardware (the service role), applied to `SimulatedHardware`'s
/// fault-injection state and seen by the controller at once.
public enum HardwareInjection: Hashable, Sendable {
  /// The line is blocked (true) or free (false): pressure then rises with every step pushed.
  case occlusion(downstream: Bool, on: Bool)
  /// Sets a line pressure directly.
  case pressure(downstream: Bool, MilliPSI)
  /// A bubble of this size passes the air sensor.
  case air(Microliters)
  case door(open: Bool)
  case mains(on: Bool)
  /// Sets the battery's remaining run time at the present drain.
  case battery(Milliseconds)
  case motorStall(Bool)
  case motorRunaway(Bool)
  case sensorFailure(Bool)
  /// A new reservoir holding this volume is loaded (a syringe change).
  case reservoir(Microliters)
  /// The firmware shell reports a fault (`PumpEvent.fault`).
  case fault(FaultCode)
}

extension SimulatedHardware {
  /// Applies `injection` — the one place that maps a simulated fault to the mechanism, used by
  /// the firmware (`INJECT`), offline replay and the safety explorers alike. `.fault` is a
  /// controller input (`PumpEvent.fault`), not hardware: nothing changes here.
  public mutating func apply(_ injection: HardwareInjection) {
    switch injection {
    case .occlusion(let down, let on):
      if down {
        downstreamOccluded = on
        if !on { setDownstreamPressure(.zero) }
      } else {
        upstreamOccluded = on
        if !on { setUpstreamPressure(.zero) }
      }
    case .pressure(let down, let p):
      // A non-zero pressure is an occlusion starting there; zero clears it.
      if down {
        downstreamOccluded = p.rawValue > 0
        setDownstreamPressure(p)
      } else {
        upstreamOccluded = p.rawValue > 0
        setUpstreamPressure(p)
      }
    case .air(let v): injectAir(v)
    case .door(let open): doorOpen = open
    case .mains(let on): onMains = on
    case .battery(let d): setBatteryRemaining(d)
    case .motorStall(let on): motorStalled = on
    case .motorRunaway(let on): motorRunaway = on
    case .sensorFailure(let on): sensorFailed = on
    case .reservoir(let v): loadReservoir(v)
    case .fault: break
    }
  }
}
