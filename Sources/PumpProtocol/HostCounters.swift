/// Counters kept by `HostSession`.
public struct HostCounters: Hashable, Sendable {
  /// Device sequence numbers skipped in TLM/EVT frames (lost frames).
  public var gaps: UInt32 = 0
  /// Device frames whose sequence went backwards (device restart or reordering).
  public var deviceSeqResets: UInt32 = 0
  /// Device frames in the session whose MAC failed.
  public var badMac: UInt32 = 0
  /// Device frames that could not be parsed.
  public var malformed: UInt32 = 0
  /// Requests retransmitted.
  public var retransmits: UInt32 = 0
  /// Requests given up after the last retransmission.
  public var timeouts: UInt32 = 0
  /// Replies for no outstanding request (duplicates after retransmission).
  public var unexpectedReplies: UInt32 = 0

  public init() {}
}
