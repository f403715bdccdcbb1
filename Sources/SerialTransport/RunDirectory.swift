import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The directory where simulators keep their port records (`<name>.json`) and, by default,
/// their links (`<name>`). Discovery and `PortWatcher` read it.
public struct RunDirectory: Sendable, Equatable, Hashable {
  /// Absolute or relative directory path.
  public var path: String

  public init(path: String) { self.path = path }

  /// `$KETAPUMP_RUN_DIR`, else `$XDG_RUNTIME_DIR/ketapump`, else `/tmp/ketapump-<uid>`.
  public static func `default`(
    environment: [String: String] = ProcessInfo.processInfo.environment, uid: UInt32 = getuid()
  ) -> RunDirectory {
    if let dir = environment["KETAPUMP_RUN_DIR"], !dir.isEmpty { return RunDirectory(path: dir) }
    if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty {
      return RunDirectory(path: xdg + "/ketapump")
    }
    return RunDirectory(path: "/tmp/ketapump-\(uid)")
  }

  /// Creates the directory (and parents) with mode 0700 if missing.
  public func create() throws(TransportError) {
    if let e = FileSystem.makeDirectories(path, mode: 0o700) {
      throw .runDirectory(path: path, e)
    }
  }

  /// `<path>/<name>.json`.
  public func recordPath(name: String) -> String { "\(path)/\(name).json" }

  /// `<path>/<name>`: the link a virtual port gets when the user names none.
  public func defaultLinkPath(name: String) -> String { "\(path)/\(name)" }

  /// Every record that parses (live or stale), sorted by name. Unreadable or foreign files are
  /// skipped, never fatal.
  public func records() -> [PortRecord] {
    FileSystem.list(path).filter { $0.hasSuffix(".json") }.compactMap { file in
      guard let bytes = FileSystem.read("\(path)/\(file)") else { return nil }
      return try? Self.decoder.decode(PortRecord.self, from: Data(bytes))
    }.sorted { $0.name < $1.name }
  }

  /// The record for `name`, nil if absent or unreadable.
  public func record(name: String) -> PortRecord? {
    guard let bytes = FileSystem.read(recordPath(name: name)) else { return nil }
    return try? Self.decoder.decode(PortRecord.self, from: Data(bytes))
  }

  /// Writes `<name>.json` atomically (temporary file + rename).
  public func write(_ record: PortRecord) throws(TransportError) {
    let path = recordPath(name: record.name)
    let data: Data
    do { data = try Self.encoder.encode(record) } catch {
      throw .record(path: path, .invalidArgument)
    }
    if let e = FileSystem.writeAtomically(Array(data) + [0x0A], to: path) {
      throw .record(path: path, e)
    }
  }

  /// Removes `<name>.json`; absent is fine.
  public func removeRecord(name: String) {
    unlink(recordPath(name: name))
  }

  /// Whether a name is acceptable as a record and link name.
  public static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
      && name.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
          || c == 0x2E || c == 0x5F || c == 0x2D
      }
  }

  static let encoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    e.dateEncodingStrategy = .iso8601
    return e
  }()

  static let decoder: JSONDecoder = {
    let d = JSONDecoder()
    d.dateDecodingStrategy = .iso8601
    return d
  }()
}
