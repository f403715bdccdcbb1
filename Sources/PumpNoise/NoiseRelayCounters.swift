/// What a `NoiseRelay` did to one direction of the line. A frame is everything up to and
/// including a line feed (or an unterminated run of bytes flushed after a pause).
public struct NoiseRelayCounters: Hashable, Sendable, CustomStringConvertible {
  /// Bytes read from the sender.
  public var bytesIn = 0
  /// Bytes written to the receiver (duplicates included, dropped and cut bytes not).
  public var bytesOut = 0
  /// Frames cut out of the stream.
  public var frames = 0
  /// Frames not forwarded at all.
  public var dropped = 0
  /// Frames forwarded twice.
  public var duplicated = 0
  /// Frames cut short (their tail lost).
  public var truncated = 0
  /// Bits inverted.
  public var bitsFlipped = 0
  /// Frames forwarded with at least one inverted bit.
  public var corrupted = 0
  /// Frames damaged before their line terminator (dropped, cut before the CR/LF, or a bit
  /// inverted in the content or the CR): the receiver cannot use them.
  public var damaged = 0
  /// Damaged frames by kind: the text between `$` and the first `,` of the original frame
  /// (`TLM`, `EVT`, `ACK`, `CLOCK`…), `console` for lines without `$`.
  public var damagedByKind: [String: Int] = [:]
  /// Writes issued to the receiver (more than `frames` when writes are split).
  public var writes = 0
  /// Bytes that could not be delivered (no host attached to the relay's port, or the pump's
  /// port gone).
  public var undeliverable = 0

  public init() {}

  public var description: String {
    "frames \(frames), dropped \(dropped), duplicated \(duplicated), truncated \(truncated), "
      + "corrupted \(corrupted) (\(bitsFlipped) bits), damaged \(damaged), bytes \(bytesIn) in / "
      + "\(bytesOut) out in \(writes) writes, undeliverable \(undeliverable)"
  }
}
