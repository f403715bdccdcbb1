import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Checks `condition` every `interval` seconds until it holds or `timeout` seconds have passed;
/// returns whether it held. The bounded wait of end-to-end tests, in place of a fixed sleep.
@discardableResult
public func poll(
  until condition: () throws -> Bool, timeout: Double, interval: Double = 0.02
) rethrows -> Bool {
  try poll(timeout: timeout, interval: interval) { try condition() ? true : nil } ?? false
}

/// Calls `probe` every `interval` seconds until it returns a value or `timeout` seconds have
/// passed; returns the value, or nil on timeout.
public func poll<T>(
  timeout: Double, interval: Double = 0.02, _ probe: () throws -> T?
) rethrows -> T? {
  let deadline = nowMs() + Int64(timeout * 1000)
  while true {
    if let value = try probe() { return value }
    if nowMs() >= deadline { return nil }
    usleep(useconds_t(interval * 1_000_000))
  }
}

/// Monotonic milliseconds.
public func nowMs() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
