import SerialTransport

/// How a `NoiseRelay` is set up: which pump port it opens, where the host-side link goes, the
/// faults per direction and the seed that makes a run reproducible.
public struct NoiseRelayConfig: Sendable {
  /// The pump's port (a pumpsim link, a tty), opened with `SerialDevice`.
  public var pumpPath: String
  /// The symlink hosts open instead of the pump's port (a new virtual port owned by the relay).
  public var hostLink: String
  /// Port name of the host side in `runDirectory` (record `<name>.json`).
  public var name: String
  /// Where the host-side port's record goes.
  public var runDirectory: RunDirectory
  /// Faults on bytes the host sends to the pump.
  public var toPump: NoiseRelayFaults
  /// Faults on bytes the pump sends to the host.
  public var toHost: NoiseRelayFaults
  /// Seed of the relay's generator: the same seed and the same input give the same faults.
  public var seed: UInt64
  /// An unterminated frame (no LF yet) is forwarded after this long without new bytes (ms), so
  /// console text without a line end and binary noise still get through.
  public var flushAfterMs: Int64 = 20
  /// The pause between the pieces of a split write (µs): the receiver's read usually returns
  /// between two pieces.
  public var pieceGapMicroseconds = 200
  /// An unterminated frame is forwarded once it holds this many bytes.
  public var maximumFrame = 1024

  public init(
    pumpPath: String, hostLink: String, name: String = "noise-relay",
    runDirectory: RunDirectory = .default(), toPump: NoiseRelayFaults = .none,
    toHost: NoiseRelayFaults = .none, seed: UInt64 = 1
  ) {
    self.pumpPath = pumpPath
    self.hostLink = hostLink
    self.name = name
    self.runDirectory = runDirectory
    self.toPump = toPump
    self.toHost = toHost
    self.seed = seed
  }
}
