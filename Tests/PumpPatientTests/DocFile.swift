import Foundation

/// Generated sections of the docs: the text between `<!-- BEGIN GENERATED: name -->` and
/// `<!-- END GENERATED: name -->` lines.
enum DocFile {
  static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static func read(_ relative: String) throws -> String {
    try String(contentsOfFile: "\(root)/\(relative)", encoding: .utf8)
  }

  static func section(_ name: String, in doc: String) -> String? {
    guard let begin = doc.range(of: "<!-- BEGIN GENERATED: \(name) -->\n"),
      let end = doc.range(
        of: "<!-- END GENERATED: \(name) -->", range: begin.upperBound..<doc.endIndex)
    else { return nil }
    return String(doc[begin.upperBound..<end.lowerBound])
  }
}
