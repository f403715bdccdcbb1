/// What one non-blocking read returned.
public enum ReadOutcome: Equatable, Sendable {
  /// This many bytes (> 0) were stored at the start of the buffer.
  case bytes(Int)
  /// Nothing to read now (`EAGAIN`); wait on the poll descriptor and try again.
  case wouldBlock
  /// The other end went away: on a pty master, the last opener of the slave closed it (`EIO`,
  /// reported once per disconnect); on a tty, the device or the pty master vanished (`EIO` or
  /// end of file). A `VirtualSerialPort` keeps serving and attaches the next peer; a
  /// `SerialDevice` is dead and must be closed and reopened.
  case hangup
  /// This object was closed by its owner.
  case closed
}
