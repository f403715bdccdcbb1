import Foundation

/// A seed from `KETAPUMP_<name>_SEED`, else `fallback`.
public func seed(_ name: String, _ fallback: UInt64) -> UInt64 {
  UInt64(ProcessInfo.processInfo.environment["KETAPUMP_\(name)_SEED"] ?? "") ?? fallback
}

/// An integer from the environment variable `name`, else `fallback`.
public func environmentInt(_ name: String, _ fallback: Int) -> Int {
  Int(ProcessInfo.processInfo.environment[name] ?? "") ?? fallback
}
