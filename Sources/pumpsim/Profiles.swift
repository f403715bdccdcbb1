import ArgumentParser
import Foundation
import PumpConfig

/// `pumpsim profiles`: list and validate pump models, drug library and care areas.
struct Profiles: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List and validate the pump models, drug library and care areas of a directory.",
    discussion: """
      Exit status 0 when every file loads, 1 with file:line:column errors otherwise.

      Example:
        pumpsim profiles --dir HardwareProfiles --json
      """)

  @Option(help: "Directory holding the model files, drug-library.yaml and care-areas.yaml.")
  var dir = "HardwareProfiles"

  @Flag(help: "JSON output.")
  var json = false

  func run() throws {
    let config: PumpConfig.Configuration
    do { config = try PumpConfig.loadDirectory(dir) } catch { throw Failure("\(error)") }
    if json {
      let models: [[String: Any]] = config.models.map { m in
        [
          "id": m.id, "name": m.name, "reservoirMicroliters": m.profile.reservoirVolume.rawValue,
          "maxRateMicrolitersPerHour": m.profile.maxRate.rawValue,
          "controlTickMs": m.profile.controlTick.rawValue, "uartBaud": m.profile.uartBaud,
        ]
      }
      let object: [String: Any] = [
        "models": models, "drugLibrarySha256": config.drugLibrary.sha256,
        "drugEntries": config.drugLibrary.entries.map {
          ["id": Int($0.entry.id.rawValue), "name": $0.name]
        },
      ]
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
      return
    }
    print("Models in \(dir):")
    for m in config.models {
      let p = m.profile
      print(
        "  \(m.id.padding(toLength: 28, withPad: " ", startingAt: 0)) \(m.name) — reservoir \(p.reservoirVolume.rawValue / 1000) mL, rate ≤ \(p.maxRate.rawValue / 1000) mL/h, tick \(p.controlTick.rawValue) ms, UART \(p.uartBaud)"
      )
    }
    print("Drug library (sha256 \(config.drugLibrary.sha256.prefix(16))…):")
    for e in config.drugLibrary.entries {
      print("  \(e.entry.id.rawValue): \(e.name) [\(e.entry.careArea)]")
    }
    print("all files valid")
  }
}
