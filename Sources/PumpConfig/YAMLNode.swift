import Foundation
import PumpCore
import PumpProtocol
import Yams

/// A YAML node together with the file it came from and its field path, so every check can report
/// `file:line:column` and `entries[2].bolus_dose.upper_hard`. Internal to PumpConfig.
struct YAMLNode {
  let node: Node
  let file: String
  let path: String

  /// Parses `text` into its root node; malformed YAML becomes a `ConfigError` at Yams' mark.
  static func root(yaml text: String, file: String) throws(ConfigError) -> YAMLNode {
    let composed: Node?
    do {
      composed = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw ConfigError(yamlError: error, file: file)
    } catch {
      throw ConfigError(
        file: file, line: 0, column: 0, field: nil, message: "malformed YAML: \(error)")
    }
    guard let composed else {
      throw ConfigError(
        file: file, line: 1, column: 1, field: nil,
        message: "empty document: expected a mapping")
    }
    return YAMLNode(node: composed, file: file, path: "")
  }

  var line: Int { node.mark?.line ?? 0 }
  var column: Int { node.mark?.column ?? 0 }

  /// An error at this node, naming this node's field.
  func error(_ message: String) -> ConfigError {
    ConfigError(file: file, line: line, column: column, field: path, message: message)
  }

  func child(_ node: Node, key: String) -> YAMLNode {
    YAMLNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
  }

  func element(_ node: Node, index: Int) -> YAMLNode {
    YAMLNode(node: node, file: file, path: "\(path)[\(index)]")
  }

  /// "a mapping", "a sequence", "null", "'text'" — what was found, for type errors.
  var found: String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a sequence"
    case .alias: return "an alias"
    case .scalar(let s):
      if s.style == .plain, s.string.isEmpty || s.string == "~" || s.string == "null" {
        return "null"
      }
      return "'\(s.string)'"
    }
  }

  // MARK: Typed reads

  /// The keys and values of a mapping, after checking that every key is in `allowed` (in file
  /// order, the first unknown key is reported) and is a plain text key.
  ///
  /// `keyKind` names what the keys are in the unknown-key message ("field" by default; the
  /// care_areas mapping says "care area" and lists the choices).
  func fields(allowed: [String], what: String, keyKind: String = "field") throws(ConfigError)
    -> Fields
  {
    guard case .mapping(let mapping) = node else {
      throw error("expected \(what) (a mapping), got \(found)")
    }
    var pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)] = []
    for (k, v) in mapping {
      guard case .scalar(let ks) = k else {
        throw YAMLNode(node: k, file: file, path: path).error("mapping keys must be plain text")
      }
      let keyNode = child(k, key: ks.string)
      guard allowed.contains(ks.string) else {
        if keyKind != "field" {
          throw keyNode.error(
            "unknown \(keyKind) '\(ks.string)' (expected one of \(allowed.joined(separator: ", ")))"
          )
        }
        let near = allowed.first(where: { editDistance($0, ks.string) <= 2 })
        throw keyNode.error(
          "unknown field '\(ks.string)' in \(what)"
            + (near.map { " (did you mean '\($0)'?)" } ?? ""))
      }
      pairs.append((ks.string, keyNode, child(v, key: ks.string)))
    }
    return Fields(owner: self, what: what, pairs: pairs)
  }

  /// The elements of a sequence.
  func elements(what: String) throws(ConfigError) -> [YAMLNode] {
    guard case .sequence(let sequence) = node else {
      throw error("expected \(what) (a sequence), got \(found)")
    }
    return sequence.enumerated().map { element($0.element, index: $0.offset) }
  }

  /// A non-empty text scalar.
  func text() throws(ConfigError) -> String {
    guard case .scalar(let s) = node, found != "null", !s.string.isEmpty else {
      throw error("expected text, got \(found)")
    }
    return s.string
  }

  /// A plain YAML integer (no quotes, no sign other than '-', decimal digits) within `range`.
  func integer(in range: ClosedRange<Int64>) throws(ConfigError) -> Int64 {
    guard case .scalar(let s) = node else {
      throw error("expected an integer, got \(found)")
    }
    guard s.style == .plain else {
      throw error("expected an integer, got quoted text \(found)")
    }
    let digits = s.string.hasPrefix("-") ? s.string.dropFirst() : Substring(s.string)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let value = Int64(s.string)
    else {
      throw error("expected an integer, got \(found)")
    }
    guard range.contains(value) else {
      throw error("\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }

  /// A quantity text in `dimension`, as a whole number of `resolution` base units.
  func quantity(_ dimension: Quantity.Dimension, resolution: Int64 = 1) throws(ConfigError)
    -> Int64
  {
    guard case .scalar(let s) = node, found != "null" else {
      throw error(
        "expected \(dimension.noun) (\(dimension.unitList)), got \(found)")
    }
    do {
      return try Quantity.parse(s.string, as: dimension, resolution: resolution)
    } catch {
      throw self.error(error.message)
    }
  }

  /// A time in whole milliseconds.
  func milliseconds() throws(ConfigError) -> Milliseconds {
    Milliseconds(try quantity(.time, resolution: 1000))
  }

  /// One of `choices` (case-sensitive).
  func choice<T>(_ choices: [(String, T)], what: String) throws(ConfigError) -> T {
    let t = try text()
    guard let match = choices.first(where: { $0.0 == t }) else {
      let names = choices.map(\.0).joined(separator: ", ")
      throw error("unknown \(what) '\(t)' (expected one of \(names))")
    }
    return match.1
  }
}

/// The checked fields of one mapping.
struct Fields {
  let owner: YAMLNode
  let what: String
  let pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)]

  /// The value of `key`; a missing key is reported at the mapping, naming the full field path.
  func required(_ key: String) throws(ConfigError) -> YAMLNode {
    if let value = optional(key) { return value }
    let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
    throw ConfigError(
      file: owner.file, line: owner.line, column: owner.column, field: path,
      message: "missing in \(what)")
  }

  func optional(_ key: String) -> YAMLNode? {
    pairs.first(where: { $0.key == key })?.value
  }
}

extension ConfigError {
  /// A Yams parse error as `file:line:column: error: malformed YAML: <problem>`.
  init(yamlError: YamlError, file: String) {
    switch yamlError {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let ctx = context.map { "\($0.text) at \($0.mark.line):\($0.mark.column), " } ?? ""
      self.init(
        file: file, line: mark.line, column: mark.column, field: nil,
        message: "malformed YAML: \(ctx)\(problem)")
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
      self.init(
        file: file, line: context.mark.line, column: context.mark.column, field: nil,
        message: "duplicate key \(keys) in a mapping (position of its first use)")
    case .reader(let problem, let offset, _, let yaml):
      var line = 0
      var column = 0
      if let offset, offset <= yaml.count {
        let prefix = yaml.prefix(offset)
        line = prefix.filter { $0 == "\n" }.count + 1
        column =
          prefix.count
          - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 }
            ?? 0) + 1
      }
      self.init(
        file: file, line: line, column: column, field: nil,
        message: "malformed YAML: \(problem)")
    default:
      self.init(
        file: file, line: 0, column: 0, field: nil, message: "malformed YAML: \(yamlError)")
    }
  }
}

/// Reads a file as UTF-8 text, or throws a `ConfigError` naming it.
func readText(path: String) throws(ConfigError) -> String {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw ConfigError(file: path, line: 0, column: 0, field: nil, message: "cannot read file")
  }
  guard let text = String(data: data, encoding: .utf8) else {
    throw ConfigError(file: path, line: 0, column: 0, field: nil, message: "file is not UTF-8")
  }
  return text
}

/// Levenshtein distance, for "did you mean" hints on unknown fields (keys are short).
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.unicodeScalars)
  let b = Array(b.unicodeScalars)
  if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
  var previous = Array(0...b.count)
  for i in 1...a.count {
    var current = [i] + Array(repeating: 0, count: b.count)
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    previous = current
  }
  return previous[b.count]
}
