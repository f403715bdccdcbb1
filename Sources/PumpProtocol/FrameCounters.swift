/// Link error counters kept by `FrameDecoder` (robust framed links expose these to the host:
/// REFERENCE.md "Serial-line facts"). All counts since the decoder was created; they saturate
/// instead of overflowing.
public struct FrameCounters: Hashable, Sendable {
  /// Frames whose CRC did not match their body.
  public var crcErrors: UInt32 = 0
  /// Lines longer than 255 bytes including the terminator (frames or console lines).
  public var overlong: UInt32 = 0
  /// Bytes outside any frame or line that could not start one (non-printable noise).
  public var garbageBytes: UInt32 = 0
  /// Frames discarded for any reason: bad CRC, overlong, truncated by a new `$`, malformed
  /// trailer, or a non-printable byte inside.
  public var framesDropped: UInt32 = 0
  /// Frames delivered with a good CRC.
  public var framesAccepted: UInt32 = 0
  /// Console (checksum-less) lines delivered.
  public var consoleLines: UInt32 = 0

  public init() {}
}

extension UInt32 {
  /// Adds `n`, saturating at `UInt32.max`.
  @inline(__always)
  mutating func saturatingAdd(_ n: UInt32 = 1) {
    let (r, o) = addingReportingOverflow(n)
    self = o ? .max : r
  }
}
