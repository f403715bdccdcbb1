/// The text of a key file written by `pumpsim keygen` (docs/PROTOCOL.md §7.4):
///
///     ketapump-key v1
///     device <device id>
///     role <device|patient|vitals|clinician|service>
///     key <64 uppercase hex digits>
///
/// Lines end in LF (CR LF accepted); blank lines and lines starting with `#` are ignored. Role
/// `device` holds the device secret (pump side only); other roles hold one role key.
public struct KeyFile: Sendable, CustomStringConvertible {
  /// What the file holds.
  public enum Content: Sendable {
    case deviceSecret(DeviceSecret)
    case roleKey(RoleKey)
  }

  public var deviceId: String
  public var content: Content

  public init(deviceId: String, content: Content) {
    self.deviceId = deviceId
    self.content = content
  }

  /// The file text.
  public func formatted() -> String {
    let (role, hex) =
      switch content {
      case .deviceSecret(let s): ("device", s.hexForKeyFile)
      case .roleKey(let k): (k.role.rawValue, k.hexForKeyFile)
      }
    return "ketapump-key v1\ndevice \(deviceId)\nrole \(role)\nkey \(hex)\n"
  }

  /// Parses key-file text.
  public init(parsing text: String) throws(KeyFileError) {
    var lines: [Substring] = []
    for raw in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
      var bytes = raw[...]
      if bytes.last == 0x0D { bytes = bytes.dropLast() }
      let l = Substring(String(decoding: bytes, as: UTF8.self))
      if l.isEmpty || l.hasPrefix("#") { continue }
      lines.append(l)
    }
    guard lines.first == "ketapump-key v1" else { throw .badHeader }
    var values: [String: Substring] = [:]
    for l in lines.dropFirst() {
      guard let space = l.firstIndex(of: " ") else { throw .unexpectedLine(String(l.prefix(40))) }
      let name = String(l[..<space])
      guard ["device", "role", "key"].contains(name) else {
        throw .unexpectedLine(String(l.prefix(40)))
      }
      guard values[name] == nil else { throw .duplicateField(name) }
      values[name] = l[l.index(after: space)...]
    }
    guard let id = values["device"] else { throw .missingField("device") }
    guard let roleName = values["role"] else { throw .missingField("role") }
    guard let keyHex = values["key"] else { throw .missingField("key") }
    guard DeviceInfo.isValidDeviceId(id) else { throw .badDeviceId }
    guard keyHex.utf8.count == 64, let bytes = Hex.decode(keyHex.utf8) else { throw .badKey }
    deviceId = String(id)
    do {
      if roleName == "device" {
        content = .deviceSecret(try DeviceSecret(bytes: bytes))
      } else if let role = Role(rawValue: String(roleName)), role != .observer {
        content = .roleKey(try RoleKey(role: role, bytes: bytes))
      } else {
        throw KeyFileError.badRole
      }
    } catch let e as KeyFileError {
      throw e
    } catch let e as KeyError {
      throw .rejectedKey(e)
    } catch {
      throw .badKey
    }
  }

  public var description: String {
    switch content {
    case .deviceSecret: "KeyFile(device \(deviceId), device secret <redacted>)"
    case .roleKey(let k): "KeyFile(device \(deviceId), \(k.role.rawValue) key <redacted>)"
    }
  }
}

/// Why key-file text was refused.
public enum KeyFileError: Error, Hashable, Sendable {
  /// The first line is not `ketapump-key v1`.
  case badHeader
  case missingField(String)
  case duplicateField(String)
  /// A line that is not `device`, `role` or `key` (first 40 characters).
  case unexpectedLine(String)
  case badDeviceId
  /// Role not one of device, patient, vitals, clinician, service.
  case badRole
  /// Key not 64 uppercase hex digits.
  case badKey
  /// The key's value was refused (weak, or the published test-vector key).
  case rejectedKey(KeyError)
}
