import PumpCore
import PumpHardware
import PumpPatientLoop
import PumpProtocol

extension Firmware {
  /// Attaches the simulated world (at most one; pumpsim's `--patient`). From now on, pump time
  /// moves through `advance(to:)`.
  public func attach(_ world: FirmwareWorld) { self.world = world }

  /// Moves the pump to `t`: the rig steps through its deadlines (`PumpMachine.catchUp`), and
  /// at each of the world's grid instants on the way the world is stepped and its inputs are
  /// journaled and applied there (`record`). Without a world, just the catch-up.
  ///
  /// The world reads the mechanism at its instant from a copy of the hardware advanced there:
  /// the rig itself is stepped only at its deadlines and at inputs, so a restart rebuilds it from
  /// the journal (docs/FIRMWARE.md "Determinism").
  func advance(to t: Milliseconds) {
    if let world {
      while world.nextInstant <= t {
        let w = world.nextInstant
        machine.catchUp(to: w)
        let m = PatientCoupling.mechanism(of: machine.rig, at: w, powered: !machine.off)
        let inputs = world.advance(
          to: w, mechanismSteps: m.steps, concentration: m.concentration)
        guard !inputs.isEmpty else { continue }
        let results = inputs.map { record($0, at: w) }
        world.answered(results, at: w, controller: machine.controller)
      }
    }
    machine.catchUp(to: t)
  }
}
