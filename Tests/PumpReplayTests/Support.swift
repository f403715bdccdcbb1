import Foundation
import KetaPumpTestSupport
import PumpConfig
import PumpCore
import PumpReplay
import PumpTrace

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
    trace, setup: try TraceSetup.bind(trace, to: shippedConfiguration), keepLog: keepLog)
}
