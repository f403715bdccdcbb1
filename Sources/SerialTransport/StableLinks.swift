/// `/dev/serial/by-id` and `/dev/serial/by-path` links, keyed by the device node they resolve
/// to (internal). Read from the directories udev maintains, not from the udev database, so they
/// are found whenever they exist.
struct StableLinks {
  var byId: [String: [String]] = [:]
  var byPath: [String: [String]] = [:]

  static func scan(root: String = "/dev/serial") -> StableLinks {
    StableLinks(byId: links(in: root + "/by-id"), byPath: links(in: root + "/by-path"))
  }

  private static func links(in dir: String) -> [String: [String]] {
    var out: [String: [String]] = [:]
    for name in FileSystem.list(dir) {
      let link = "\(dir)/\(name)"
      guard let node = FileSystem.realPath(link) else { continue }
      out[node, default: []].append(link)
    }
    return out
  }
}
