import ArgumentParser

/// pumpmon: the KetaPump host monitor. Each subcommand lives in its own file.
@main
struct PumpMon: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pumpmon",
    abstract: "Find, drive, record and replay KetaPump pumps over a serial line.",
    discussion:
      "KetaPump is a simulator for engineering, teaching and research, not a medical device.",
    subcommands: [Ports.self, Replay.self, Relay.self])
}
