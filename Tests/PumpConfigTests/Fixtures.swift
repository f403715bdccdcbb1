import Foundation

/// Paths to the shipped profiles, found from this file's location (no bundle resources needed).
enum Fixtures {
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static let profilesDirectory = packageRoot + "/HardwareProfiles"

  static func profile(_ name: String) -> String { profilesDirectory + "/" + name }

  static let modelFiles = [
    "syringe-pca-60ml.yaml", "ambulatory-cassette-100ml.yaml", "large-volume-1000ml.yaml",
  ]

  /// Every shipped YAML file name.
  static var allYAMLFiles: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: profilesDirectory)) ?? [])
      .filter { $0.hasSuffix(".yaml") }.sorted()
  }

  static func text(_ name: String) throws -> String {
    try String(contentsOfFile: profile(name), encoding: .utf8)
  }
}
