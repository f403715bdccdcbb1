import Foundation
import PumpConfig
import PumpCore
import PumpReplay

/// The repository root (this file is Tests/PumpReplayTests/Support.swift).
let repoRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()

/// The shipped profiles directory, loaded once.
let shippedConfig: PumpConfig.Configuration = {
  do { return try PumpConfig.loadDirectory("\(repoRoot)/HardwareProfiles") } catch {
    fatalError("cannot load HardwareProfiles: \(error)")
  }
}()

/// A header that binds to the shipped configuration.
let minimalHeader = "profile: syringe-pca-60ml\n"

/// Parses `text` and returns the error's description, or nil when it parses.
func parseError(_ text: String, file: String = "bad.trace") -> String? {
  do {
    _ = try TraceParser.parse(text, file: file)
    return nil
  } catch {
    return error.description
  }
}

/// Parses, binds and replays `text` offline.
func replay(_ text: String, file: String = "t.trace", keepLog: Bool = true) throws -> TraceResult {
  let trace = try TraceParser.parse(text, file: file)
  return OfflineReplay.run(
    trace, setup: try TraceSetup.bind(trace, to: shippedConfig), keepLog: keepLog)
}
