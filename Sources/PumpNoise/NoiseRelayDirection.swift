/// One direction of a `NoiseRelay`, without I/O: bytes in, frames cut at line feeds, faults
/// applied with the relay's seeded generator, bytes (in pieces) out. Time is passed in.
public struct NoiseRelayDirection: Sendable {
  /// The faults injected in this direction.
  public let faults: NoiseRelayFaults
  /// What was done so far.
  public private(set) var counters = NoiseRelayCounters()
  /// Bytes waiting to be written, oldest first.
  public private(set) var output: [UInt8] = []
  /// Offsets in `output` where a piece ends (ascending); empty when writes are not split.
  private var pieceEnds: [Int] = []
  private var partial: [UInt8] = []
  private var lastInputMs: Int64 = 0
  private var bitsUntilError = Int.max

  public init(faults: NoiseRelayFaults, random: inout SeededGenerator) {
    self.faults = faults
    bitsUntilError = random.bitsUntilError(rate: faults.bitErrorRate)
  }

  /// Whether an unterminated frame is waiting for its line feed.
  public var hasPartialFrame: Bool { !partial.isEmpty }

  /// The bytes the next write should offer: one piece when writes are split, else everything.
  public var nextWrite: ArraySlice<UInt8> {
    guard let end = pieceEnds.first else { return output[...] }
    return output[..<end]
  }

  /// Takes bytes from the sender: every complete frame (up to LF) is faulted and queued.
  public mutating func receive(
    _ bytes: some Collection<UInt8>, nowMs: Int64, maximumFrame: Int,
    random: inout SeededGenerator
  ) {
    counters.bytesIn += bytes.count
    lastInputMs = nowMs
    for b in bytes {
      partial.append(b)
      if b == 0x0A || partial.count >= maximumFrame {
        forward(partial, random: &random)
        partial.removeAll(keepingCapacity: true)
      }
    }
  }

  /// Forwards an unterminated frame once the sender paused for `afterMs`.
  public mutating func flushIfIdle(nowMs: Int64, afterMs: Int64, random: inout SeededGenerator) {
    guard !partial.isEmpty, nowMs - lastInputMs >= afterMs else { return }
    forward(partial, random: &random)
    partial.removeAll(keepingCapacity: true)
  }

  /// `n` bytes of `nextWrite` were written.
  public mutating func wrote(_ n: Int) {
    guard n > 0 else { return }
    counters.bytesOut += n
    counters.writes += 1
    output.removeFirst(n)
    pieceEnds = pieceEnds.map { $0 - n }.filter { $0 > 0 }
  }

  /// Everything queued is lost (no receiver): counted as undeliverable.
  public mutating func discardOutput() {
    counters.undeliverable += output.count
    output.removeAll()
    pieceEnds.removeAll()
  }

  /// Applies drop, truncation, bit errors and duplication to one frame, then queues it.
  mutating func forward(_ original: [UInt8], random: inout SeededGenerator) {
    counters.frames += 1
    // Bytes the receiver needs intact: a CR LF frame is complete at its CR.
    let needed =
      original.count >= 2 && original[original.count - 2] == 0x0D && original.last == 0x0A
      ? original.count - 1 : original.count
    var damaged = false
    if random.chance(faults.dropProbability) {
      counters.dropped += 1
      noteDamage(original)
      return
    }
    var frame = original
    if frame.count > 1, random.chance(faults.truncateProbability) {
      let keep = Int(random.next() % UInt64(frame.count))
      frame.removeSubrange(keep...)
      counters.truncated += 1
      if keep < needed { damaged = true }
    }
    var flipped = false
    if faults.bitErrorRate > 0 {
      var bit = 0
      let bits = frame.count * 8
      while bitsUntilError < bits - bit {
        bit += bitsUntilError
        frame[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
        counters.bitsFlipped += 1
        flipped = true
        if bit / 8 < needed { damaged = true }
        bit += 1
        bitsUntilError = random.bitsUntilError(rate: faults.bitErrorRate)
      }
      bitsUntilError -= bits - bit
    }
    if flipped { counters.corrupted += 1 }
    if damaged { noteDamage(original) }
    enqueue(frame, random: &random)
    if random.chance(faults.duplicateProbability) {
      counters.duplicated += 1
      enqueue(frame, random: &random)
    }
  }

  private mutating func enqueue(_ frame: [UInt8], random: inout SeededGenerator) {
    guard !frame.isEmpty else { return }
    let base = output.count
    output += frame
    guard faults.splitWrites else { return }
    let pieces = 1 + Int(random.next() % UInt64(max(faults.maximumPieces, 1)))
    var cuts = Set<Int>()
    if frame.count > 1 {
      for _ in 1..<pieces { cuts.insert(1 + Int(random.next() % UInt64(frame.count - 1))) }
    }
    pieceEnds += cuts.sorted().map { base + $0 } + [base + frame.count]
  }

  private mutating func noteDamage(_ original: [UInt8]) {
    counters.damaged += 1
    counters.damagedByKind[Self.kind(of: original), default: 0] += 1
  }

  /// `TLM`, `ACK`, `CLOCK`… for a frame, `console` for a line without `$`.
  static func kind(of frame: [UInt8]) -> String {
    guard frame.first == UInt8(ascii: "$") else { return "console" }
    let name = frame.dropFirst().prefix { $0 != UInt8(ascii: ",") }.prefix(10)
    return String(decoding: name, as: UTF8.self)
  }
}
