/// The last few (request, reply) pairs, so a retransmitted request gets its original reply
/// without being executed again. Fixed capacity, oldest evicted first.
struct ReplyCache: Sendable {
  private struct Entry: Sendable {
    var seq: UInt32
    var request: [UInt8]
    var reply: [UInt8]
  }

  private var entries: [Entry] = []
  private let capacity: Int

  init(capacity: Int) { self.capacity = max(1, capacity) }

  /// The reply to a byte-identical earlier request with this seq.
  func lookup(seq: UInt32, request: [UInt8]) -> [UInt8]? {
    entries.last(where: { $0.seq == seq && $0.request == request })?.reply
  }

  mutating func store(seq: UInt32, request: [UInt8], reply: [UInt8]) {
    if entries.count >= capacity { entries.removeFirst() }
    entries.append(Entry(seq: seq, request: request, reply: reply))
  }

  mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

  /// Drops the entries whose request starts with `prefix` (e.g. `LOGIN,`).
  mutating func remove(requestsStartingWith prefix: [UInt8]) {
    entries.removeAll { $0.request.starts(with: prefix) }
  }
}
