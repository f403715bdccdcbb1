/// One log record: a monotonic sequence number, the controller time and the effect.
public struct LogEntry: Equatable, Sendable {
  public var sequence: UInt32
  public var time: Milliseconds
  public var effect: Effect
}

/// A bounded ring buffer of log entries. Storage is allocated once at init; appending never
/// allocates (Open PCA Pump: 1500 event and 150 fault records).
public struct EventLog: Sendable {
  var slots: [LogEntry]
  var next: Int = 0
  public internal(set) var count: Int = 0
  /// Entries ever appended, including those overwritten.
  public internal(set) var total: UInt32 = 0

  public init(capacity: Int) {
    let c = max(capacity, 1)
    slots = [LogEntry](
      repeating: LogEntry(sequence: 0, time: .zero, effect: .interlockReset), count: c)
  }

  public var capacity: Int { slots.count }

  public mutating func append(_ entry: LogEntry) {
    slots[next] = entry
    next = next + 1 == slots.count ? 0 : next + 1
    if count < slots.count { count += 1 }
    total &+= 1
  }

  /// The i-th retained entry, oldest first.
  public subscript(i: Int) -> LogEntry {
    let start = count < slots.count ? 0 : next
    return slots[(start + i) % slots.count]
  }

  /// The retained entries, oldest first (allocates: for tools and tests, not the control step).
  public var entries: [LogEntry] { (0..<count).map { self[$0] } }
}
