import ArgumentParser

/// pumpsim: the KetaPump firmware, simulated, on a virtual serial port.
@main
struct PumpSim: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pumpsim",
    abstract: "The KetaPump ketamine PCA pump firmware, simulated on a serial port.",
    discussion: """
      KetaPump is a simulator for engineering, teaching and research. It is not a medical \
      device and must never be connected to a patient.

      Quick start:
        pumpsim keygen --device-id KP-0001 --out pump0.key
        pumpsim run --profile HardwareProfiles/syringe-pca-60ml.yaml --key pump0.key
      """,
    version: firmwareVersion,
    subcommands: [Run.self, Fleet.self, Keygen.self, Profiles.self])
}

/// The firmware version HELLO reports.
let firmwareVersion = "0.2.0"
