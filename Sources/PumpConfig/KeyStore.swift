import Foundation
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#endif

/// Key files on disk (docs/PROTOCOL.md §7.4): written with mode 0600 and never over an existing
/// file; refused when group or others may read them, so a secret left world-readable is found
/// before it is used. Neither the key nor the file text is ever printed.
public enum KeyStore {
  /// Why a key file cannot be used.
  public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, errno: Int32)
    /// Group or others have access: the octal mode found.
    case tooOpen(path: String, mode: UInt32)
    case notRegularFile(path: String)
    case malformed(path: String, KeyFileError)
    /// The file holds a key of another kind (a role key where the device secret is needed, or
    /// the reverse, or another role).
    case wrongContent(path: String, String)
    case exists(path: String)
    case unwritable(path: String, errno: Int32)

    public var description: String {
      switch self {
      case .unreadable(let p, let e): "\(p): cannot read key file (\(String(cString: strerror(e))))"
      case .tooOpen(let p, let m):
        "\(p): key file is accessible to group or others (mode \(String(m, radix: 8))); run: chmod 600 \(p)"
      case .notRegularFile(let p): "\(p): not a regular file"
      case .malformed(let p, let e): "\(p): not a KetaPump key file (\(e))"
      case .wrongContent(let p, let why): "\(p): \(why)"
      case .exists(let p): "\(p): already exists; refusing to overwrite a key (use --force)"
      case .unwritable(let p, let e):
        "\(p): cannot write key file (\(String(cString: strerror(e))))"
      }
    }
  }

  /// Reads and checks a key file.
  public static func load(path: String) throws(Failure) -> KeyFile {
    var st = stat()
    guard stat(path, &st) == 0 else { throw .unreadable(path: path, errno: errno) }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile(path: path) }
    let mode = UInt32(st.st_mode) & 0o777
    guard mode & 0o077 == 0 else { throw .tooOpen(path: path, mode: mode) }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path: path, errno: errno)
    }
    do {
      return try KeyFile(parsing: String(decoding: data, as: UTF8.self))
    } catch {
      throw .malformed(path: path, error)
    }
  }

  /// The device secret in `path` (pump side).
  public static func loadDeviceSecret(path: String) throws(Failure) -> (
    deviceId: String, secret: DeviceSecret
  ) {
    let f = try load(path: path)
    guard case .deviceSecret(let s) = f.content else {
      throw .wrongContent(
        path: path,
        "holds a role key, not the device secret (use the file keygen wrote with role device)")
    }
    return (f.deviceId, s)
  }

  /// The role key in `path` (host side). `role` nil accepts any role.
  public static func loadRoleKey(path: String, role: Role? = nil) throws(Failure) -> (
    deviceId: String, key: RoleKey
  ) {
    let f = try load(path: path)
    switch f.content {
    case .deviceSecret(let s):
      // A host holding the device secret (the bench owner) may act in any role.
      guard let role else {
        throw .wrongContent(path: path, "holds the device secret: name the role to use (--role)")
      }
      do { return (f.deviceId, try s.roleKey(for: role)) } catch {
        throw .wrongContent(path: path, "no key for role \(role.rawValue)")
      }
    case .roleKey(let k):
      if let role, k.role != role {
        throw .wrongContent(path: path, "holds the \(k.role.rawValue) key, not \(role.rawValue)")
      }
      return (f.deviceId, k)
    }
  }

  /// Writes `file` to `path` with mode 0600 (never over an existing file unless `overwrite`).
  public static func write(_ file: KeyFile, path: String, overwrite: Bool = false) throws(Failure) {
    var flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW
    flags |= overwrite ? O_TRUNC : O_EXCL
    let fd = open(path, flags, 0o600)
    guard fd >= 0 else {
      if errno == EEXIST { throw .exists(path: path) }
      throw .unwritable(path: path, errno: errno)
    }
    defer { close(fd) }
    _ = fchmod(fd, 0o600)
    let bytes = Array(file.formatted().utf8)
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .unwritable(path: path, errno: errno)
      }
      off += n
    }
    guard fsync(fd) == 0 else { throw .unwritable(path: path, errno: errno) }
  }
}

extension PumpConfig {
  /// SHA-256 of a file's bytes, 64 lowercase hex digits (journal headers fingerprint the pump
  /// model file with it).
  public static func fileDigest(path: String) throws(ConfigError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigError(file: path, line: 0, column: 0, field: nil, message: "cannot read file")
    }
    return sha256Hex(Array(data))
  }
}
