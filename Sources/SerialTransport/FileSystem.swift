import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small path helpers over the syscalls (no Foundation `FileManager`, whose errors lose errno).
enum FileSystem {
  /// The path exists, following symlinks (a dangling link does not exist).
  static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  /// `lstat` kind of the path itself: nil if absent.
  enum Kind { case symlink, directory, other }
  static func kind(_ path: String) -> Kind? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    switch st.st_mode & S_IFMT {
    case S_IFLNK: return .symlink
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  /// The target of a symlink, nil if not a symlink.
  static func readLink(_ path: String) -> String? {
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buf, buf.count - 1)
    guard n >= 0 else { return nil }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The canonical path (`realpath(3)`), nil if it cannot be resolved.
  static func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }

  /// Creates the directory and its parents (`mkdir -p`) with `mode` for new components.
  static func makeDirectories(_ path: String, mode: mode_t) -> Errno? {
    if kind(path) == .directory || (kind(path) == .symlink && isDirectory(path)) { return nil }
    let parent = directoryName(path)
    if parent != path, !parent.isEmpty, !isDirectory(parent) {
      if let e = makeDirectories(parent, mode: mode) { return e }
    }
    if mkdir(path, mode) != 0 && errno != EEXIST { return Errno(rawValue: errno) }
    return isDirectory(path) ? nil : .notDirectory
  }

  static func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
  }

  /// Everything before the last `/` (`/` for `/x`, `.` for `x`).
  static func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// Names in a directory (no `.`/`..`), empty if it cannot be read.
  static func list(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// Writes `bytes` to `path` atomically: a temporary file in the same directory, then `rename`.
  static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) -> Errno? {
    let tmp = "\(path).tmp.\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { return Errno(rawValue: errno) }
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    let writeErrno = errno
    close(fd)
    guard written == bytes.count else {
      unlink(tmp)
      return Errno(rawValue: written < 0 ? writeErrno : EIO)
    }
    guard rename(tmp, path) == 0 else {
      let e = Errno(rawValue: errno)
      unlink(tmp)
      return e
    }
    return nil
  }

  /// Reads a small file whole, nil if it cannot be read.
  static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while out.count < limit {
      let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      out += buf[0..<n]
    }
    return out
  }
}
