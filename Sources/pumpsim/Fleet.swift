import ArgumentParser
import Foundation
import Logging
import PumpConfig
import PumpCore
import PumpFirmware
import PumpProtocol
import SerialTransport

#if canImport(Glibc)
  import Glibc
#endif

/// `pumpsim fleet`: N independent pumps in one process, one super-loop.
struct Fleet: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run N independent pumps (own port, key and journal) in one process.",
    discussion: """
      Pump i (1-based) is device KP-FLEET-NNNN with port fleet-NNNN in the run directory, key \
      <key-dir>/fleet-NNNN.key (generated with its role keys when missing) and journal \
      <state-root>/KP-FLEET-NNNN. For testing central monitoring.

      Example:
        pumpsim fleet --count 100 --key-dir /tmp/fleet-keys
      """)

  @OptionGroup var pump: PumpOptions

  @Option(
    help:
      "Number of pumps (at least 1; at most what the kernel's pty limit and the open-file limit allow)."
  )
  var count: Int

  @Option(help: "Directory of the pumps' key files (created 0700; keys generated if missing).")
  var keyDir: String

  @Option(help: "Root of the pumps' journal directories (default: <run dir>/state).")
  var stateRoot: String?

  @Flag(help: "Print one JSON line per pump when ready.")
  var json = false

  @Option(help: .hidden)
  var patient: String?

  func validate() throws {
    guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    if patient != nil {
      throw ValidationError(
        "--patient is for `pumpsim run` (one pump, one patient); fleet pumps have no simulated patient"
      )
    }
  }

  func run() throws {
    bootstrapLogging()
    let logger = pump.logger("pumpsim.fleet")
    let capacity = FleetCapacity.current()
    if let why = capacity.refusal(count: count) { throw Failure(why) }
    let loaded = try pump.loadPump()
    let runDir = pump.runDirectory
    let root = stateRoot ?? "\(runDir.path)/state"
    do {
      try FileManager.default.createDirectory(
        atPath: keyDir, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
    } catch {
      throw Failure("\(keyDir): cannot create key directory (\(error.localizedDescription))")
    }
    let stopFD = StopSignal.install()
    var pumps: [FirmwareLoop<VirtualSerialPort>.Pump] = []
    let speed = try pump.speed()
    // One inotify instance for every port (the per-user limit is 128 instances): idle ports are
    // woken by a host's open, not re-checked every 250 ms.
    let hub = InotifyHub()
    for i in 1...count {
      let tag = String(repeating: "0", count: max(0, 4 - String(i).count)) + String(i)
      let deviceId = "KP-FLEET-\(tag)"
      let keyPath = "\(keyDir)/fleet-\(tag).key"
      let secret: DeviceSecret
      do {
        secret = try loadOrCreateKey(path: keyPath, deviceId: deviceId)
      } catch {
        throw Failure("\(error)")
      }
      var config = FirmwareConfig(
        deviceId: deviceId, firmwareVersion: firmwareVersion, model: loaded.model,
        modelDigest: loaded.digest, formulary: loaded.config.formulary,
        drugLibraryDigest: loaded.config.drugLibrary.sha256, secret: secret,
        stateDirectory: "\(root)/\(deviceId)")
      config.speed = speed
      config.clockMode = pump.clockMode
      config.telemetryHertz = pump.telemetryHertz
      config.logger = logger
      do {
        let port = try VirtualSerialPort.create(
          name: "fleet-\(tag)", runDirectory: runDir, deviceId: deviceId, hub: hub)
        let fw = try Firmware(
          config: config, monoMillis: monotonicMillis(), wallMillis: wallMillis())
        pumps.append(.init(firmware: fw, port: port))
        if json {
          print(
            #"{"event":"ready","deviceId":"\#(deviceId)","port":"\#(port.linkPath)","pts":"\#(port.ptsPath)"}"#
          )
        }
      } catch {
        for p in pumps { p.port.close() }
        if case TransportError.ptyUnavailable = error {
          throw Failure("pump \(i): \(error) (\(FleetCapacity.current().summary))")
        }
        throw Failure("pump \(i): \(error)")
      }
    }
    print(
      "pumpsim: fleet of \(count) pumps ready in \(runDir.path) (pid \(getpid()); \(capacity.summary))"
    )
    flushStandardOutput()
    FirmwareLoop(pumps: pumps, logger: logger).run(stopFD: stopFD)
  }

  private func loadOrCreateKey(path: String, deviceId: String) throws -> DeviceSecret {
    if access(path, F_OK) == 0 {
      let (id, s) = try KeyStore.loadDeviceSecret(path: path)
      guard id == deviceId else { throw Failure("\(path): key of \(id), expected \(deviceId)") }
      return s
    }
    var system = SystemRandomNumberGenerator()
    let secret = DeviceSecret.generate(using: &system)
    try KeyStore.write(KeyFile(deviceId: deviceId, content: .deviceSecret(secret)), path: path)
    for role in [Role.clinician, .patient, .vitals, .service] {
      try KeyStore.write(
        KeyFile(deviceId: deviceId, content: .roleKey(try secret.roleKey(for: role))),
        path: "\(path.dropLast(4)).\(role.rawValue).key")
    }
    return secret
  }
}
