import ArgumentParser

/// `pumpmon ports`: serial port discovery (SerialTransport issue #3).
struct Ports: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List serial ports (not built yet).")
  func run() throws { throw ExitCode(2) }
}
