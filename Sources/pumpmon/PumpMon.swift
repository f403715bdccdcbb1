import ArgumentParser

/// pumpmon: the KetaPump host monitor. Each subcommand lives in its own file.
@main
struct PumpMon: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pumpmon",
    abstract: "Find, drive, record and replay KetaPump pumps over a serial line.",
    discussion: """
      KetaPump is a simulator for engineering, teaching and research, not a medical device.

      Exit status of the commands that talk to a pump: 0 ok, 1 a script expectation failed, \
      2 NAK (refused), 3 authentication failure, 4 link failure, 5 no reply (uncertain), \
      64 bad usage. Shell completion: pumpmon --generate-completion-script bash|zsh|fish.

      Examples:
        pumpmon ports
        pumpmon connect --latest --key pump.key
        pumpmon send KP-0001 status --json
        pumpmon run KP-0001 ward.txt --key pump.key
      """,
    subcommands: [
      Ports.self, Connect.self, Send.self, RunScript.self, VitalsFeed.self, Record.self,
      Replay.self, Relay.self, Audit.self,
    ])
}
