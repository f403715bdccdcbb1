/// Why the host session cannot send now.
public enum HostSessionError: Error, Hashable, Sendable {
  /// LOGIN needs a role key in the configuration.
  case noKey
  /// LOGIN needs the device id (HELLO answered or configured).
  case deviceUnknown
  /// HELLO reported a device id other than the key file's.
  case deviceMismatch
  /// A login is already in progress.
  case loginInProgress
  /// Privileged requests need a completed login.
  case notLoggedIn
  /// The request is built by the session itself (LOGIN, AUTH).
  case useLogin
  /// The request would not fit in a frame.
  case frameTooLong
}
