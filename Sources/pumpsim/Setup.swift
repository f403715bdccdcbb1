import ArgumentParser
import Logging
import PumpConfig
import PumpCore
import PumpHardware
import PumpFirmware
import PumpProtocol
import SerialTransport

#if canImport(Glibc)
  import Glibc
#endif

/// Options every pump-starting command shares.
struct PumpOptions: ParsableArguments {
  @Option(help: "Pump model file; the drug library and care areas are read from its directory.")
  var profile: String = "HardwareProfiles/syringe-pca-60ml.yaml"

  @Option(help: "Directory of drug-library.yaml and care-areas.yaml (default: the profile's).")
  var library: String?

  @Option(name: .customLong("telemetry-hz"), help: "Telemetry rate after HELLO, 0-100 Hz.")
  var telemetryHertz = 1

  @Option(
    help:
      "Pump clock: real, fast:N to run N times faster than wall time (1-10000), or virtual (stands still until CLOCK ADVANCE)."
  )
  var clock = "real"

  @Flag(name: .customLong("pace-baud"), help: "Pace output to the profile's UART baud rate.")
  var paceBaud = false

  @Option(
    help:
      "Run directory for port records and links (default: $KETAPUMP_RUN_DIR, $XDG_RUNTIME_DIR/ketapump or /tmp/ketapump-UID)."
  )
  var runDir: String?

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel = "notice"

  func validate() throws {
    guard (0...100).contains(telemetryHertz) else {
      throw ValidationError("--telemetry-hz must be 0-100, got \(telemetryHertz)")
    }
    _ = try speed()
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError(
        "--log-level must be one of trace, debug, info, notice, warning, error, critical")
    }
  }

  func speed() throws -> VirtualClock.Speed {
    if clock == "real" || clock == "virtual" { return .real }
    if clock.hasPrefix("fast:"), let n = Int64(clock.dropFirst(5)), (1...10_000).contains(n) {
      return n == 1 ? .real : .fast(n)
    }
    throw ValidationError(
      "--clock must be real or fast:N with N in 1-10000, or virtual, got '\(clock)'")
  }

  /// The clock mode at power-on.
  var clockMode: ClockMode { clock == "virtual" ? .virtual : .real }

  var runDirectory: RunDirectory { runDir.map { RunDirectory(path: $0) } ?? .default() }

  func logger(_ label: String) -> Logger {
    var l = Logger(label: label)
    l.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
    return l
  }

  /// Loads model, library and care areas; every error names file:line.
  func loadPump() throws -> (model: PumpModel, digest: String, config: PumpConfig.Configuration) {
    let dir = library ?? directory(of: profile)
    do {
      let model = try PumpConfig.loadModel(path: profile)
      let digest = try PumpConfig.fileDigest(path: profile)
      let config = PumpConfig.Configuration(
        models: [model],
        drugLibrary: try PumpConfig.loadDrugLibrary(
          path: "\(dir)/\(PumpConfig.drugLibraryFileName)"),
        careAreas: try PumpConfig.loadCareAreas(path: "\(dir)/\(PumpConfig.careAreasFileName)"))
      return (model, digest, config)
    } catch {
      throw Failure("\(error)")
    }
  }
}

func directory(of path: String) -> String {
  guard let slash = path.lastIndex(of: "/") else { return "." }
  return path[..<slash].isEmpty ? "/" : String(path[..<slash])
}

/// A failure to report in one line on stderr with exit status 1 (no stack trace).
struct Failure: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

/// Sets up swift-log once, to stderr.
func bootstrapLogging() {
  LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
}

/// Flushes stdout (the ready line must reach a pipe before the loop starts).
func flushStandardOutput() { fflush(nil) }
