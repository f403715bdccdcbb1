#if canImport(Glibc)
  import Glibc
#endif

extension SerialConnection {
  /// Waits until `path` exists again (a symlink counts only when its target exists), e.g. after
  /// the simulator restarted and re-created its link, or a USB adapter was plugged back in.
  /// Checks every `interval` (sleeping in between, cancellable), so it costs nothing while
  /// waiting.
  ///
  /// - Parameters:
  ///   - path: the port path (link or device).
  ///   - timeout: how long to wait at most.
  ///   - interval: how often to look (default 50 ms).
  /// - Throws: `.timedOut(path, ms)` when the path did not come back in time;
  ///   `CancellationError` is not thrown: cancellation ends the wait with `.timedOut` too.
  public static func waitForPath(
    _ path: String, timeout: Duration, interval: Duration = .milliseconds(50)
  ) async throws(TransportError) {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
      if FileSystem.exists(path) { return }
      if clock.now >= deadline || Task.isCancelled {
        let ms =
          timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        throw .timedOut(path: path, milliseconds: Int(ms))
      }
      do { try await Task.sleep(for: min(interval, deadline - clock.now)) } catch {}
    }
  }
}
