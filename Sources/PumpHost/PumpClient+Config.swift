import PumpCore
import PumpProtocol
import SerialTransport

extension PumpClient {
  /// Opens `path` with a full host-session configuration: the key and device id, and the
  /// retransmission tuning (`retransmitTimeout`, `maxAttempts`) and heartbeat a fast or noisy
  /// link wants (the protocol's defaults, 500 ms × 3, suit a UART).
  ///
  ///     var config = HostSessionConfig(key: key)
  ///     config.retransmitTimeout = Milliseconds(30)
  ///     config.maxAttempts = 8
  ///     let c = try PumpClient.open(path: link, config: config)
  public static func open(
    path: String, settings: LineSettings = .standard, config: HostSessionConfig
  ) throws(ClientError) -> PumpClient {
    let port: SerialDevice
    do { port = try SerialDevice.open(path: path, settings: settings) } catch {
      throw .open(error)
    }
    return PumpClient(path: path, port: port, config: config)
  }
}
