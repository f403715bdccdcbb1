/// A trace that could not be read or bound to a configuration: where, and what was expected.
///
/// `description` reads like a compiler diagnostic so editors and CI logs can jump to it:
/// `bad.trace:12:7: expected a vital name (SBP, DBP, HR, SpO2, RR), found 'BPM'`. Line and column
/// are 1-based (the column counts Unicode scalars); both are 0 when the problem has no position
/// (an unreadable file), and the `line:column:` part is then left out.
public struct TraceError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file as the caller named it, or `<string>` for text parsed from memory.
  public var file: String
  /// 1-based line, or 0 when unknown.
  public var line: Int
  /// 1-based column, or 0 when unknown.
  public var column: Int
  /// What was expected and what was found, one sentence without a trailing period.
  public var message: String

  public init(file: String, line: Int, column: Int, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  public var description: String {
    line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
  }
}

/// A position in a trace file: 1-based line and column (Unicode scalars).
public struct SourceLocation: Hashable, Sendable {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }
}
