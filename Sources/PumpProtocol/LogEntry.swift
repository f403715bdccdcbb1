/// LOG reply: `ACK,seq,LOG,<back 0…99999>,<available 0…99999>,<text ≤ 160>`.
public struct LogEntry: Hashable, Sendable {
  /// Position from the newest entry (0 = newest).
  public var back: Int
  /// Entries available.
  public var available: Int
  /// The entry, sanitised to field characters.
  public var text: String

  public init(back: Int, available: Int, text: String) {
    self.back = back
    self.available = available
    self.text = WireText.sanitize(text, maxLength: 160)
  }
}
