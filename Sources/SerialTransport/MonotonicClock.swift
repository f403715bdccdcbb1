#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The monotonic clock (`CLOCK_MONOTONIC`), in nanoseconds. The only clock the transport reads;
/// pure types such as `Pacer` take the time as an argument instead.
public enum MonotonicClock {
  /// Nanoseconds since an arbitrary fixed point (boot), never going backwards.
  public static func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }
}
