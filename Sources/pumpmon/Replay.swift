import ArgumentParser

/// `pumpmon replay`: alarm test traces (issue #6).
struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replay alarm test traces (not built yet).")
  func run() throws { throw ExitCode(2) }
}
