import Foundation
import KetaPumpTestSupport
import Testing

@Suite("pumpmon CLI", .serialized)
struct CLITests {
  @Test(
    "REQ-MON-HELP-01: every subcommand has --help with examples; shell completion scripts are generated",
    .timeLimit(.minutes(1)))
  func help() throws {
    for sub in ["connect", "send", "run", "vitals", "record"] {
      let r = try pumpmon([sub, "--help"], runDir: "/tmp")
      #expect(r.status == 0)
      #expect(r.out.contains("Examples"), "\(sub)")
      #expect(r.out.contains("USAGE: pumpmon \(sub)"), "\(sub)")
    }
    for shell in ["bash", "zsh", "fish"] {
      let r = try pumpmon(["--generate-completion-script", shell], runDir: "/tmp")
      #expect(r.status == 0)
      #expect(r.out.contains("connect") && r.out.contains("vitals"), "\(shell)")
    }
  }

  @Test(
    "REQ-MON-RAW-01: connect --raw passes bytes through with per-line timestamps (hex view with --hex); --log writes RX/TX with the decoded frame",
    .timeLimit(.minutes(1)))
  func raw() throws {
    let bench = try Bench("KP-MON-RAW1")
    let log = temporaryDirectory("raw") + "/wire.log"
    var r = try pumpmon(
      ["connect", bench.keys.deviceId, "--raw", "--log", log], runDir: bench.runDir,
      stdin: "version\r\n")
    #expect(r.status == 0, "\(r.err)")
    #expect(
      r.out.range(of: #"\[\+\d+\.\d{3}\] VERSION device=KP-MON-RAW1"#, options: .regularExpression)
        != nil, "\(r.out)")
    let text = try String(contentsOfFile: log, encoding: .utf8)
    #expect(text.contains(" TX version\\r\\n  | console: version"))
    #expect(text.contains(" RX VERSION device=KP-MON-RAW1"))
    r = try pumpmon(
      ["connect", bench.keys.deviceId, "--raw", "--hex"], runDir: bench.runDir, stdin: "help\n")
    #expect(r.status == 0)
    #expect(r.out.contains("4B 65 74 61 50 75 6D 70"), "\(r.out)")  // "KetaPump"
    #expect(r.out.contains("|KetaPump console"))
    #expect(bench.sim.stop() == 0)
  }

  @Test(
    "REQ-MON-PLAIN-01: with stdout not a terminal, connect prints a line-by-line log (events, telemetry, link) and stops after --duration",
    .timeLimit(.minutes(1)))
  func plain() throws {
    let bench = try Bench("KP-MON-PL1")
    try bench.startTherapy()
    let r = try pumpmon(
      ["connect", bench.keys.deviceId, "--duration", "1s"], runDir: bench.runDir)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("LINK connected (observer) to KP-MON-PL1"))
    #expect(r.out.contains("TLM  infusing(basal)"))
    let bad = try pumpmon(["connect", "KP-NOPE", "--duration", "1s"], runDir: bench.runDir)
    #expect(bad.status == 4)
    #expect(bad.err.hasPrefix("pumpmon: unknown port 'KP-NOPE'"))
    #expect(bench.sim.stop() == 0)
  }
}
