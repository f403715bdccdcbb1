import ArgumentParser
import Foundation
import PumpReplay

/// `pumpmon replay` options for online replay against pumpsim (docs/TRACES.md, "Online
/// replay").
struct OnlineOptions: ParsableArguments {
  @Option(help: "Replay online on this pumpsim port (a fresh pump with --clock virtual).")
  var port: String?

  @Option(
    help:
      "Device secret, or clinician key with siblings NAME.patient.key, NAME.vitals.key, NAME.service.key."
  )
  var key: String?

  @Flag(
    name: .customLong("ports-per-role"),
    help:
      "Use PORT, PORT-2, PORT-3, PORT-4 (pumpsim --ports 4) as service, clinician, patient, vitals."
  )
  var portsPerRole = false

  @Flag(
    name: .customLong("spawn-pumpsim"),
    help: "Replay online on a fresh pumpsim per trace, started from pumpmon's directory.")
  var spawnPumpsim = false

  @Option(
    name: .customLong("max-wire-actions"),
    help: "Online: skip traces needing more wire actions than this (default: no limit).")
  var maxWireActions: Int?

  func validate() throws {
    if spawnPumpsim && port != nil { throw ValidationError("use --port or --spawn-pumpsim") }
    if port != nil && key == nil { throw ValidationError("--port needs --key") }
    if port == nil && (key != nil || portsPerRole) {
      throw ValidationError("--key and --ports-per-role need --port")
    }
    if let n = maxWireActions, n < 0 { throw ValidationError("--max-wire-actions must be ≥ 0") }
  }

  /// The online target, or nil for offline replay.
  func target(profiles: String) throws -> OnlineReplay.Target? {
    if spawnPumpsim {
      let exe =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0]
      let dir = (exe as NSString).deletingLastPathComponent
      return .spawn(pumpsim: "\(dir)/pumpsim", profiles: profiles)
    }
    guard let port, let key else { return nil }
    do {
      let (id, keys) = try OnlineReplay.loadKeys(path: key)
      let ports = portsPerRole ? [port, "\(port)-2", "\(port)-3", "\(port)-4"] : [port]
      return .running(ports: ports, keys: keys, deviceId: id)
    } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      throw ExitCode(2)
    }
  }
}
