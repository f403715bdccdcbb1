import PumpCore

/// The controller coupled to its simulated hardware: the one place that turns hardware state
/// into controller events and controller commands into motor motion. The firmware's super-loop
/// calls `advance(to:)` every control tick; the offline replayer calls it with large jumps, and
/// the rig steps through every instant at which the controller or the hardware has work
/// (`PumpController.nextDeadline`, `SimulatedHardware.nextDeadline`), so both see the same
/// behaviour and cost grows with events, not with simulated time.
public struct PumpRig: Sendable {
  public var controller: PumpController
  public var hardware: SimulatedHardware
  var scratch: [SensorReading] = []
  /// Control steps taken (for benchmarks: work done, not time simulated).
  public internal(set) var steps: Int64 = 0

  public init(controller: PumpController, hardware: SimulatedHardware) {
    self.controller = controller
    self.hardware = hardware
    scratch.reserveCapacity(8)
  }

  public var now: Milliseconds { controller.now }

  /// Looks at the controller after one of its calls (a control step or a handled event), in
  /// place. `inout` only so that Swift hands over the controller's address: with a plain or a
  /// `borrowing` parameter, calling the closure with a controller held `inout` (the rig's
  /// own) copies the whole controller (over 1 kB) at every call. An observer reads the
  /// controller and must not change it.
  public typealias Observer = (inout PumpController) -> Void

  /// Advances hardware and controller to `t`, stopping at every deadline on the way, and takes
  /// one control step at `t` itself unless the rig already stepped there (a deadline at `t`, or
  /// an earlier input at the same instant): every input is handled by a controller that has
  /// just seen the hardware at its instant. Calls `observe` after each control step with the
  /// controller's effects of that step.
  public mutating func advance(to t: Milliseconds, observe: Observer) {
    advance(to: t, observed: true, observe)
  }

  /// `advance(to:observe:)` with no observer.
  public mutating func advance(to t: Milliseconds) { advance(to: t, observed: false) { _ in } }

  /// The methods above and below take `observed`: unobserved runs (the closed loop,
  /// benchmarks) make no call at all.
  private mutating func advance(
    to t: Milliseconds, observed: Bool, _ observe: Observer
  ) {
    catchUp(to: t, observed: observed, observe)
    if now < t { step(at: t, observed: observed, observe) }
  }

  /// Steps through every controller and hardware deadline in (now, t] and nowhere else: what
  /// time passing does to the pump. The firmware catches up to its clock with this every pass
  /// and at `CLOCK ADVANCE`; offline replay uses it between actions, so both take the same
  /// steps however the time between two inputs is cut.
  public mutating func catchUp(to t: Milliseconds, observe: Observer) {
    catchUp(to: t, observed: true, observe)
  }

  /// `catchUp(to:observe:)` with no observer.
  public mutating func catchUp(to t: Milliseconds) { catchUp(to: t, observed: false) { _ in } }

  private mutating func catchUp(
    to t: Milliseconds, observed: Bool, _ observe: Observer
  ) {
    while true {
      // In place and cached (`cachedNextDeadline`): no copy of the controller, and no second
      // computation when nothing ran since the last question.
      // The hardware's deadline matters only at or before `min(next, t)`: asked for that much.
      var next = controller.cachedNextDeadline()
      if let h = hardware.nextDeadlineInPlace(notAfter: min(next.rawValue, t.rawValue)), h < next {
        next = h
      }
      if next > t || next <= now { break }
      step(at: next, observed: observed, observe)
    }
  }

  /// One control step at `t`: hardware moves, readings reported, controller ticks, motor set.
  public mutating func step(at t: Milliseconds, observe: Observer) {
    step(at: t, observed: true, observe)
  }

  /// `step(at:observe:)` with no observer.
  public mutating func step(at t: Milliseconds) { step(at: t, observed: false) { _ in } }

  private mutating func step(
    at t: Milliseconds, observed: Bool, _ observe: Observer
  ) {
    hardware.advance(to: t)
    hardware.readings(into: &scratch)
    controller.tick(now: t, readings: scratch)
    hardware.command(controller.commandedRate)
    steps += 1
    if observed { observe(&controller) }
  }

  /// Delivers an event at `t` (after advancing to it): the motor command takes effect at once.
  @discardableResult
  public mutating func send(
    _ event: PumpEvent, at t: Milliseconds, observe: Observer
  ) -> Rejection? {
    send(event, at: t, observed: true, observe)
  }

  /// `send(_:at:observe:)` whose last observer call, the event's own, goes to `answered` with
  /// the event's result instead: a checker that looks at the controller after the event and
  /// at the result (`SafetyInvariants.afterEvent`) gets both from one look, in place (as
  /// `Observer`: read only).
  @discardableResult
  public mutating func send(
    _ event: PumpEvent, at t: Milliseconds, observe: Observer,
    answered: (inout PumpController, Rejection?) -> Void
  ) -> Rejection? {
    advance(to: t, observed: true, observe)
    let r = controller.handle(event, now: t)
    hardware.command(controller.commandedRate)
    answered(&controller, r)
    return r
  }

  /// `send(_:at:observe:)` with no observer.
  @discardableResult
  public mutating func send(_ event: PumpEvent, at t: Milliseconds) -> Rejection? {
    send(event, at: t, observed: false) { _ in }
  }

  private mutating func send(
    _ event: PumpEvent, at t: Milliseconds, observed: Bool, _ observe: Observer
  ) -> Rejection? {
    advance(to: t, observed: observed, observe)
    let r = controller.handle(event, now: t)
    hardware.command(controller.commandedRate)
    if observed { observe(&controller) }
    return r
  }

  /// Power fails at `t`: the mechanism stops where it is and nothing runs until power returns.
  public mutating func powerLost(at t: Milliseconds, observe: Observer = { _ in }) {
    advance(to: t, observe: observe)
    hardware.command(.zero)
  }

  /// Power returns at `t`: the controller restarts with the state it had at the outage
  /// (`PumpController.powerRestored`) and runs its self-test.
  public mutating func powerRestored(
    at t: Milliseconds, selfTestPassed: Bool = true, observe: Observer = { _ in }
  ) {
    hardware.advance(to: t)
    hardware.readings(into: &scratch)
    controller.powerRestored(now: t)
    observe(&controller)
    controller.handle(.selfTestResult(passed: selfTestPassed), now: t)
    observe(&controller)
    controller.tick(now: t, readings: scratch)
    hardware.command(controller.commandedRate)
    observe(&controller)
  }
}
