import Logging
import PumpCore
import PumpHardware
import PumpProtocol

/// Everything one simulated pump needs to start (pumpsim builds it from its flags).
public struct FirmwareConfig: Sendable {
  public var deviceId: String
  public var firmwareVersion: String
  public var model: PumpModel
  /// SHA-256 of the model file, hex (journal header: a changed profile is a foreign journal).
  public var modelDigest: String
  public var formulary: Formulary
  /// SHA-256 of the drug library, hex.
  public var drugLibraryDigest: String
  public var secret: DeviceSecret
  /// Journal directory (created 0700).
  public var stateDirectory: String
  public var speed: VirtualClock.Speed = .real
  /// The clock mode at power-on: `.virtual` starts with pump time standing still (at 0 on a
  /// fresh pump) until a service host sends `CLOCK ADVANCE` (online trace replay).
  public var clockMode: ClockMode = .real
  /// Telemetry rate after HELLO, Hz (0…100).
  public var telemetryHertz = 1
  /// Session ends after this long without authenticated traffic.
  public var heartbeatTimeout = Milliseconds(3000)
  /// The line's baud rate when something paces it (a real tty, or `--pace-baud`), 8N1; nil for
  /// an unpaced pseudo-terminal. TLMRATE refuses rates whose frames would not fit.
  public var lineBaud: Int?
  /// Serial ports (1…8), each with its own session.
  public var ports = 1
  public var logger = Logger(label: "pumpsim")

  public init(
    deviceId: String, firmwareVersion: String, model: PumpModel, modelDigest: String,
    formulary: Formulary, drugLibraryDigest: String, secret: DeviceSecret, stateDirectory: String
  ) {
    self.deviceId = deviceId
    self.firmwareVersion = firmwareVersion
    self.model = model
    self.modelDigest = modelDigest
    self.formulary = formulary
    self.drugLibraryDigest = drugLibraryDigest
    self.secret = secret
    self.stateDirectory = stateDirectory
  }
}
