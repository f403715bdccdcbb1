/// A configuration file that could not be loaded: where, which field, and why.
///
/// `description` reads like a compiler diagnostic, so editors and CI logs can jump to it:
/// `HardwareProfiles/x.yaml:12:5: error: field 'max_rate': expected a flow rate (µL/h, mL/h,
/// mL/min), got '5 mL'`. Line and column are 1-based (column counted in Unicode scalars, as
/// libyaml does); both are 0 when the problem has no position (for example an unreadable file),
/// and the `line:column:` part is then left out.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file as the caller named it, or `<string>` for text loaded from memory.
  public var file: String
  /// 1-based line, or 0 when unknown.
  public var line: Int
  /// 1-based column, or 0 when unknown.
  public var column: Int
  /// Dotted field path such as `entries[2].bolus_dose.upper_hard`; nil for whole-file problems
  /// (malformed YAML, unreadable file).
  public var field: String?
  /// What is wrong, in one sentence without a trailing period.
  public var message: String

  public init(file: String, line: Int, column: Int, field: String?, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.field = field
    self.message = message
  }

  public var description: String {
    let location = line > 0 ? "\(file):\(line):\(column)" : file
    if let field, !field.isEmpty {
      return "\(location): error: field '\(field)': \(message)"
    }
    return "\(location): error: \(message)"
  }
}
