import ArgumentParser
import PumpHost
import PumpNoise
import SerialTransport

#if canImport(Glibc)
  import Glibc
#endif

/// `pumpmon relay`: a fault-injecting line between host tools and a pump (issue #7).
struct Relay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Relay a pump's port to a new link, injecting line noise.",
    discussion: """
      Opens the pump's port as a host would and creates a new virtual port at --link; host tools \
      open the link instead of the pump. Bytes are cut into frames at line feeds; each frame may \
      be dropped, duplicated, truncated or have bits inverted, and writes may be split at random \
      byte boundaries. The same --seed gives the same faults for the same traffic. Runs until \
      Ctrl-C (exit 0), then prints what it did per direction.

      Examples:
        pumpmon relay --port /tmp/ketapump-1000/kp-0001 --link /tmp/noisy --ber 1e-3 --split
        pumpmon relay --port /tmp/pump0 --link /tmp/lossy --drop 0.05 --direction to-host
      """)

  /// Which way the faults apply.
  enum Direction: String, ExpressibleByArgument, CaseIterable {
    case both
    case toPump = "to-pump"
    case toHost = "to-host"
  }

  @Option(help: "The pump's port (a pumpsim link or a tty).")
  var port: String

  @Option(help: "The new link host tools open.")
  var link: String

  @Option(help: "Bit-error rate, e.g. 1e-3.")
  var ber: Double = 0

  @Option(help: "Probability that a frame is dropped.")
  var drop: Double = 0

  @Option(help: "Probability that a frame is sent twice.")
  var dup: Double = 0

  @Option(help: "Probability that a frame is cut short.")
  var truncate: Double = 0

  @Flag(help: "Split writes at random byte boundaries.")
  var split = false

  @Option(help: "Which direction gets the faults: both, to-pump, to-host.")
  var direction: Direction = .both

  @Option(help: "Seed of the fault generator.")
  var seed: UInt64 = 1

  @Option(help: "Run directory for the link's record (default: as pumpsim).")
  var runDir: String?

  var faults: NoiseRelayFaults {
    NoiseRelayFaults(
      bitErrorRate: ber, dropProbability: drop, duplicateProbability: dup,
      truncateProbability: truncate, splitWrites: split)
  }

  func validate() throws {
    if let problem = faults.problem() { throw ValidationError(problem) }
    if port == link { throw ValidationError("--link must differ from --port") }
  }

  func run() throws {
    var config = NoiseRelayConfig(pumpPath: port, hostLink: link, seed: seed)
    if let runDir { config.runDirectory = RunDirectory(path: runDir) }
    config.name = "relay-\(seed)"
    config.toPump = direction == .toHost ? .none : faults
    config.toHost = direction == .toPump ? .none : faults
    let relay: NoiseRelay
    do { relay = try NoiseRelay(config: config) } catch {
      var err = StandardError()
      print("pumpmon relay: \(error)", to: &err)
      throw ExitCode(4)
    }
    StopSignal.install()
    print(
      "pumpmon relay: \(port) ⇄ \(relay.hostPort.path) (\(relay.hostPort.ptsPath)), seed \(seed)")
    fflush(nil)
    relay.run { StopSignal.requested }
    let c = relay.counters
    print("to pump: \(c.toPump)")
    print("to host: \(c.toHost)")
    relay.close()
  }
}
