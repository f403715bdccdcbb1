/// What one non-blocking write did.
public enum WriteOutcome: Equatable, Sendable {
  /// This many bytes were accepted (may be fewer than offered: kernel buffer or pacer limit).
  case wrote(Int)
  /// Nothing accepted now: the kernel buffer is full, or the pacer has no budget (see
  /// `pacingDelayNanoseconds(now:)`). Try again later.
  case wouldBlock
  /// No peer holds the other end of a virtual port: the bytes were dropped on purpose (and
  /// counted), so a host that attaches later never reads stale output.
  case noPeer
  /// The device vanished (`EIO`): a `SerialDevice` must be closed and reopened.
  case hangup
  /// This object was closed by its owner.
  case closed
}
