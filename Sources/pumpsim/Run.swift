import ArgumentParser
import Foundation
import Logging
import PumpConfig
import PumpCore
import PumpFirmware
import PumpPatient
import PumpProtocol
import SerialTransport

/// `pumpsim run`: one pump on a virtual serial port (or a real tty).
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Power on one simulated pump and serve the protocol on a serial port.",
    discussion: """
      Prints one line with the port and device id when ready (JSON with --json), logs to stderr, \
      and powers off cleanly on SIGINT/SIGTERM (motor stopped, journal synced, link removed). \
      A restart with the same --state-dir comes up paused with its dose history.

      Examples:
        pumpsim run --key pump0.key
        pumpsim run --key pump0.key --link /tmp/ketapump/pump0 --telemetry-hz 10 --json
        pumpsim run --key pump0.key --device /dev/ttyUSB0 --baud 115200
        pumpsim run --key pump0.key --clock fast:60 --state-dir /tmp/pump0-state
        pumpsim run --key pump0.key --patient HardwareProfiles/patients/adult-70kg.yaml --json

      With --patient the simulated patient is part of the world: the drug the mechanism moves \
      enters its PK/PD model, its monitor samples reach the pump as VITALS do and its presses as \
      handset presses (both journaled), on pump time. Its state is kept in <state dir>/patient.state.
      """)

  @OptionGroup var pump: PumpOptions

  @Option(help: "Device secret key file written by `pumpsim keygen` (mode 0600).")
  var key: String

  @Option(help: "Symlink to create for the virtual port (default: <run dir>/<name>).")
  var link: String?

  @Option(help: "Port name in the run directory (default: the device id, lower case).")
  var name: String?

  @Option(help: "Serve on this existing tty instead of a virtual port.")
  var device: String?

  @Option(help: "Baud rate for --device (default: the profile's UART rate).")
  var baud: Int?

  @Option(
    help:
      "Virtual ports (1-8), each with its own session: NAME, NAME-2, ... (links LINK, LINK-2, ...)."
  )
  var ports = 1

  @Option(help: "Journal directory (default: <run dir>/state/<device id>).")
  var stateDir: String?

  @Flag(help: "Print the ready line as JSON.")
  var json = false

  @Option(
    help:
      "Simulated patient file (HardwareProfiles/patients/*.yaml): the patient's monitor and button drive the pump."
  )
  var patient: String?

  @Option(help: "Seed of the patient's noise, monitor artefacts and presses (default 1).")
  var patientSeed: UInt64?

  @Option(
    help:
      "The patient's monitor: default (arterial line, 0.5 spikes and 0.2 lead-off dropouts per channel-hour) or clean."
  )
  var patientMonitor = "default"

  func validate() throws {
    if device != nil && link != nil { throw ValidationError("use --link or --device, not both") }
    if baud != nil && device == nil { throw ValidationError("--baud applies to --device only") }
    guard (1...8).contains(ports) else {
      throw ValidationError("--ports must be 1-8, got \(ports)")
    }
    if ports > 1 && device != nil { throw ValidationError("--ports applies to virtual ports only") }
    if patient == nil && patientSeed != nil {
      throw ValidationError("--patient-seed applies to --patient only")
    }
    guard ["default", "clean"].contains(patientMonitor) else {
      throw ValidationError("--patient-monitor must be default or clean, got '\(patientMonitor)'")
    }
  }

  func run() throws {
    bootstrapLogging()
    let logger = pump.logger("pumpsim")
    let (deviceId, secret): (String, DeviceSecret)
    do { (deviceId, secret) = try KeyStore.loadDeviceSecret(path: key) } catch {
      throw Failure("\(error)")
    }
    let loaded = try pump.loadPump()
    // Before anything is created or opened: a bad patient file changes no state.
    let patientProfile = try patient.map(loadPatient)
    let runDir = pump.runDirectory
    let portName = name ?? deviceId.lowercased()
    let state = stateDir ?? "\(runDir.path)/state/\(deviceId)"
    var config = FirmwareConfig(
      deviceId: deviceId, firmwareVersion: firmwareVersion, model: loaded.model,
      modelDigest: loaded.digest, formulary: loaded.config.formulary,
      drugLibraryDigest: loaded.config.drugLibrary.sha256, secret: secret, stateDirectory: state)
    config.speed = try pump.speed()
    config.clockMode = pump.clockMode
    config.telemetryHertz = pump.telemetryHertz
    config.logger = logger
    config.ports = device == nil ? ports : 1
    let profile = loaded.model.profile
    let pacer = pump.paceBaud ? Pacer(baud: Int(profile.uartBaud)) : nil
    // What the line carries: a real tty at its baud, a paced pty at the profile's; an unpaced
    // pty carries anything. The device refuses telemetry rates that would not fit.
    config.lineBaud = device != nil ? (baud ?? Int(profile.uartBaud)) : (pacer?.baud)
    if let line = config.lineBaud, config.telemetryHertz * Telemetry.maxFrameBytes > line / 10 {
      throw Failure(
        "--telemetry-hz \(config.telemetryHertz): \(config.telemetryHertz * Telemetry.maxFrameBytes) B/s of telemetry does not fit \(line) baud 8N1 (\(line / 10) B/s); at most \(line / 10 / Telemetry.maxFrameBytes) Hz"
      )
    }

    let stopFD = StopSignal.install()
    if let device {
      let settings = LineSettings(baud: baud ?? Int(profile.uartBaud))
      let port: SerialDevice
      do { port = try SerialDevice.open(path: device, settings: settings, pacer: pacer) } catch {
        throw Failure("\(error)")
      }
      let fw = try start(config, logger: logger)
      attachPatient(patientProfile, to: fw, logger: logger)
      announce(deviceId: deviceId, ports: [(device, device)], state: state, fw: fw)
      let loop = FirmwareLoop(pumps: [.init(firmware: fw, port: port)], logger: logger)
      loop.run(stopFD: stopFD)
      report(loop)
    } else {
      var opened: [VirtualSerialPort] = []
      do {
        for i in 1...ports {
          let suffix = i == 1 ? "" : "-\(i)"
          let port = try VirtualSerialPort.create(
            name: portName + suffix, link: link.map { $0 + suffix }, runDirectory: runDir,
            deviceId: deviceId, pacer: pacer)
          opened.append(port)
          if let old = port.replacedStaleLink {
            logger.notice("replaced a stale link to \(old) from a run that did not exit cleanly")
          }
        }
      } catch {
        for p in opened { p.close() }
        throw Failure("\(error)")
      }
      let fw: Firmware
      do { fw = try start(config, logger: logger) } catch {
        for p in opened { p.close() }
        throw error
      }
      attachPatient(patientProfile, to: fw, logger: logger)
      announce(
        deviceId: deviceId, ports: opened.map { ($0.linkPath, $0.ptsPath) }, state: state, fw: fw)
      let loop = FirmwareLoop(pumps: [.init(firmware: fw, ports: opened)], logger: logger)
      loop.run(stopFD: stopFD)
      report(loop)
    }
    logger.notice("powered off (signal \(StopSignal.received))")
  }

  /// The loop's figures at power-off: a JSON line with --json (tests and benchmarks read it).
  private func report<P>(_ loop: FirmwareLoop<P>) {
    let p = loop.pumps[0]
    if json {
      print(
        #"{"event":"stopped","passes":\#(loop.passes),"lateTicks":\#(loop.lateTicks),"watchdogTrips":\#(loop.watchdogTrips),"maxGapMs":\#(loop.maxGapMillis),"executed":\#(p.firmware.executed),"droppedBytes":\#(p.droppedBytes)}"#
      )
    } else {
      print(
        "pumpsim: \(loop.passes) passes, \(loop.lateTicks) late ticks, \(loop.watchdogTrips) watchdog trips, longest gap \(loop.maxGapMillis) ms"
      )
    }
    flushStandardOutput()
  }

  private func start(_ config: FirmwareConfig, logger: Logger) throws -> Firmware {
    do {
      return try Firmware(config: config, monoMillis: monotonicMillis(), wallMillis: wallMillis())
    } catch {
      throw Failure("state directory \(config.stateDirectory): \(error)")
    }
  }

  private func announce(
    deviceId: String, ports: [(link: String, pts: String)], state: String, fw: Firmware
  ) {
    let mode = LogText.name(fw.machine.controller.mode)
    let (path, pts) = ports[0]
    if json {
      var object: [String: Any] = [
        "event": "ready", "deviceId": deviceId, "port": path, "pts": pts,
        "ports": ports.map(\.link),
        "pid": Int(getpid()), "stateDir": state, "mode": mode,
        "journalFault": fw.journalFault ?? NSNull(),
      ]
      if let w = fw.world as? PatientWorld {
        object["patient"] = [
          "profile": w.record.profileID, "seed": String(w.record.seed), "state": w.path,
          "note": w.startNote,
        ]
      }
      if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
        print(String(decoding: data, as: UTF8.self))
      }
    } else {
      print("pumpsim: \(deviceId) ready on \(path) (\(pts)), mode \(mode), state \(state)")
      for (link, pty) in ports.dropFirst() { print("pumpsim: also on \(link) (\(pty))") }
      if let f = fw.journalFault { print("pumpsim: FAULT: \(f)") }
      if let w = fw.world as? PatientWorld { print("pumpsim: \(w.startNote)") }
    }
    flushStandardOutput()
  }
}
