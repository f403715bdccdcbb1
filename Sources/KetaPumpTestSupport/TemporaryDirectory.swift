import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A fresh, empty directory `<root>/<tag>-XXXXXX`. Every directory of a test process lives in
/// one root, `/tmp/ketapump-test-XXXXXX`, removed when the process exits (kept if
/// `KETAPUMP_KEEP_TEST_DIRS` is set, for diagnosis).
public func temporaryDirectory(_ tag: String) -> String {
  makeDirectory("\(temporaryRoot)/\(tag)-XXXXXX")
}

private let temporaryRoot: String = {
  let root = makeDirectory("/tmp/ketapump-test-XXXXXX")
  if ProcessInfo.processInfo.environment["KETAPUMP_KEEP_TEST_DIRS"] == nil {
    removeAtExit = root
    atexit {
      if let root = removeAtExit { try? FileManager.default.removeItem(atPath: root) }
    }
  }
  return root
}()

nonisolated(unsafe) private var removeAtExit: String? = nil

private func makeDirectory(_ template: String) -> String {
  var chars = Array(template.utf8CString)
  guard let p = chars.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
    fatalError("mkdtemp \(template): errno \(errno)")
  }
  return String(cString: p)
}
