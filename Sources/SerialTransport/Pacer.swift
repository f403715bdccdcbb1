/// A token bucket that limits output to a serial line rate, because a pseudo-terminal ignores
/// baud and would otherwise deliver megabytes per second.
///
/// The rate is `baud / bitsPerByte` bytes per second: 10 bits per byte for 8N1 (start + 8 data
/// + stop), so 115200 baud carries 11,520 B/s. Time is passed in (monotonic nanoseconds) so the
/// bucket is pure and testable. Budget is kept in bit-nanoseconds, exact integer arithmetic, no
/// drift.
public struct Pacer: Sendable, Equatable {
  /// Line rate, bits per second.
  public let baud: Int
  /// Bits on the wire per byte: 10 for 8N1, 11 for 8E1 or 8N2, 12 for 8E2.
  public let bitsPerByte: Int
  /// Most bytes that may leave in one burst after the line was idle.
  public let burstBytes: Int
  /// Budget in bit-nanoseconds (one byte costs `bitsPerByte * 1e9`).
  private var budget: UInt64
  private var last: UInt64?

  /// - Parameters:
  ///   - baud: bits per second (> 0).
  ///   - bitsPerByte: wire bits per byte (≥ 1); `LineSettings.bitsPerByte` gives it.
  ///   - burstBytes: bucket size in bytes; default 20 ms of line time (at least 16 bytes), so a
  ///     writer that wakes every millisecond or two keeps the full rate.
  ///   - initialBytes: budget at start, bytes; default a full bucket (an idle line).
  public init(baud: Int, bitsPerByte: Int = 10, burstBytes: Int? = nil, initialBytes: Int? = nil) {
    self.baud = max(1, baud)
    self.bitsPerByte = max(1, bitsPerByte)
    let perSecond = self.baud / self.bitsPerByte
    self.burstBytes = max(1, burstBytes ?? max(16, perSecond / 50))
    let start = min(self.burstBytes, max(0, initialBytes ?? self.burstBytes))
    self.budget = UInt64(start) * UInt64(self.bitsPerByte) * 1_000_000_000
  }

  /// Bytes per second this pacer allows (`baud / bitsPerByte`).
  public var bytesPerSecond: Double { Double(baud) / Double(bitsPerByte) }

  private var costPerByte: UInt64 { UInt64(bitsPerByte) * 1_000_000_000 }
  private var capacity: UInt64 { UInt64(burstBytes) * costPerByte }

  private mutating func refill(now: UInt64) {
    defer { last = now }
    guard let last, now > last else { return }
    // Cap the elapsed time before multiplying, so long idle periods cannot overflow.
    let maxUseful = capacity / UInt64(baud) + 1
    let elapsed = min(now - last, maxUseful)
    budget = min(capacity, budget + elapsed * UInt64(baud))
  }

  /// Whole bytes that may be written at `now` (monotonic ns).
  public mutating func available(now: UInt64) -> Int {
    refill(now: now)
    return Int(budget / costPerByte)
  }

  /// Records that `count` bytes were written (call after `available(now:)`).
  public mutating func consume(_ count: Int) {
    budget -= min(budget, UInt64(max(0, count)) * costPerByte)
  }

  /// Nanoseconds from `now` until `count` bytes (default 1) may be written; 0 if already.
  public mutating func delay(forBytes count: Int = 1, now: UInt64) -> UInt64 {
    refill(now: now)
    let need = UInt64(min(max(1, count), burstBytes)) * costPerByte
    guard need > budget else { return 0 }
    return (need - budget + UInt64(baud) - 1) / UInt64(baud)
  }
}
