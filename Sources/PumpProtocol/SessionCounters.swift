/// Protocol-level counters kept by `DeviceSession`.
public struct SessionCounters: Hashable, Sendable {
  /// Frames with a good CRC whose body could not be split (no usable seq): dropped.
  public var malformed: UInt32 = 0
  /// MACs that failed to verify.
  public var badMac: UInt32 = 0
  /// Requests refused as replayed or reordered-old.
  public var staleSequence: UInt32 = 0
  /// Retransmissions answered from the reply cache.
  public var retransmits: UInt32 = 0
  /// Failed login proofs.
  public var authFailures: UInt32 = 0
  /// NAK replies sent.
  public var naks: UInt32 = 0

  public init() {}
}
