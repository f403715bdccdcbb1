#if canImport(Glibc)
  import Glibc
#endif

/// Creates a virtual port's symlink atomically and decides when an existing one is stale
/// (internal; rules in docs/SERIAL.md).
///
/// An existing path is replaced only if it is a symlink AND stale: its target does not exist
/// (the `/dev/pts/N` of a crashed run is gone), or a run-directory record claims the link for a
/// process that is dead. Anything else — a regular file, a directory, a link to a device that
/// exists with no KetaPump record (a socat pair, a USB adapter), a link owned by a live
/// simulator — is refused with a typed error. Links are never followed to decide.
struct LinkPlacer {
  let runDirectory: RunDirectory

  /// Returns the old target if a stale link was replaced.
  func place(link: String, target: String) throws(TransportError) -> String? {
    let parent = FileSystem.directoryName(link)
    if let e = FileSystem.makeDirectories(parent, mode: 0o755) {
      throw .linkFailed(path: link, e)
    }
    var replaced: String?
    switch FileSystem.kind(link) {
    case nil: break
    case .directory, .other: throw .linkPathOccupied(path: link)
    case .symlink:
      let old = FileSystem.readLink(link) ?? ""
      let claims = runDirectory.records().filter { $0.linkPath == link }
      if let live = claims.first(where: { $0.isLive && $0.ptsPath == old }) {
        throw .linkInUse(path: link, target: old, pid: live.pid)
      }
      let ownerDead = !claims.isEmpty && claims.allSatisfy { !ProcessLiveness.isAlive($0.pid) }
      guard !FileSystem.exists(link) || ownerDead else {
        throw .linkInUse(path: link, target: old, pid: nil)
      }
      for stale in claims where !ProcessLiveness.isAlive(stale.pid) {
        runDirectory.removeRecord(name: stale.name)
      }
      replaced = old
    }
    let tmp = "\(link).tmp.\(getpid())"
    unlink(tmp)
    guard symlink(target, tmp) == 0 else { throw .linkFailed(path: link, .init(rawValue: errno)) }
    guard rename(tmp, link) == 0 else {
      let e = errno
      unlink(tmp)
      throw .linkFailed(path: link, .init(rawValue: e))
    }
    return replaced
  }
}
