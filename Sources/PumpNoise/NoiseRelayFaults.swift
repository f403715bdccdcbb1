/// The faults a `NoiseRelay` injects in one direction of the line. All probabilities are in
/// 0…1; the relay cuts the byte stream into frames at each line feed (a frame is everything up
/// to and including LF, the unit of `dropProbability`, `duplicateProbability` and
/// `truncateProbability`).
public struct NoiseRelayFaults: Hashable, Sendable {
  /// Probability that any one bit is inverted (bit-error rate), e.g. 1e-3.
  public var bitErrorRate: Double
  /// Probability that a whole frame is not forwarded.
  public var dropProbability: Double
  /// Probability that a frame is forwarded twice in a row.
  public var duplicateProbability: Double
  /// Probability that a frame is cut at a random byte (its tail, terminator included, lost).
  public var truncateProbability: Double
  /// Write each frame in 1…`maximumPieces` pieces cut at random byte boundaries, one piece per
  /// relay pass (`NoiseRelayConfig.pieceGapMicroseconds` apart), so the receiver's reads end in the middle of frames.
  public var splitWrites: Bool
  /// The most pieces a frame is cut into when `splitWrites` is on (≥ 1).
  public var maximumPieces: Int

  /// A clean line: nothing injected.
  public static let none = NoiseRelayFaults()

  /// The issue #7 line: bit-error rate 1e-3, 1 % drops, 1 % duplicates, 1 % truncations, split
  /// writes.
  public static let issue7 = NoiseRelayFaults(
    bitErrorRate: 1e-3, dropProbability: 0.01, duplicateProbability: 0.01,
    truncateProbability: 0.01, splitWrites: true)

  public init(
    bitErrorRate: Double = 0, dropProbability: Double = 0, duplicateProbability: Double = 0,
    truncateProbability: Double = 0, splitWrites: Bool = false, maximumPieces: Int = 3
  ) {
    self.bitErrorRate = bitErrorRate
    self.dropProbability = dropProbability
    self.duplicateProbability = duplicateProbability
    self.truncateProbability = truncateProbability
    self.splitWrites = splitWrites
    self.maximumPieces = maximumPieces
  }

  /// Whether every setting is usable; the reason otherwise.
  public func problem() -> String? {
    let probabilities = [
      ("bit-error rate", bitErrorRate), ("drop", dropProbability),
      ("duplicate", duplicateProbability), ("truncate", truncateProbability),
    ]
    for (name, p) in probabilities where !(0...1).contains(p) {
      return "\(name) probability must be in 0...1, got \(p)"
    }
    if bitErrorRate >= 1 { return "bit-error rate must be below 1" }
    if maximumPieces < 1 { return "a frame is written in at least 1 piece" }
    return nil
  }
}
