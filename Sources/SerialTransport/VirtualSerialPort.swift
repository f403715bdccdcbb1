import Foundation
import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// The simulator's end of a virtual serial port: it owns the master of a pseudo-terminal pair
/// in raw mode, a stable symlink to the slave, and a run-directory record. Hosts open the link
/// (or the `/dev/pts/N` path) exactly as they would open a USB-serial adapter.
///
/// Hang-up policy (docs/SERIAL.md): the port keeps no slave descriptor of its own. While no
/// host holds the slave, the master would report `POLLHUP` and `EIO` on every call, so the port
/// instead watches the slave with inotify (`IN_OPEN`) — `pollDescriptor` is then the inotify
/// descriptor and an idle simulator sleeps at ~0 % CPU. Writes while no host is attached are
/// dropped and reported as `.noPeer` (counted in `droppedBytes`), so the next host never reads
/// stale output; a host opened with `SerialDevice` also flushes its input on open. When a host
/// closes, `read` reports `.hangup` once and the port waits for the next one: the firmware
/// keeps serving across disconnects.
///
/// Not thread-safe: owned by one thread (the firmware super-loop).
public final class VirtualSerialPort: SerialIO {
  /// Port name (record file name, default link name).
  public let name: String
  /// The pty slave device, e.g. `/dev/pts/3`.
  public let ptsPath: String
  /// The stable symlink to `ptsPath`.
  public let linkPath: String
  /// Where the record lives.
  public let runDirectory: RunDirectory
  /// The record written at creation.
  public let record: PortRecord
  /// A stale link this port replaced at creation (its old target), for the start-up message.
  public let replacedStaleLink: String?
  /// Output pacing; set `Pacer(baud: 115_200)` to see real UART timing, nil for speed.
  public var pacer: Pacer?
  /// Whether a host currently holds the slave open (as of the last read, write or `refresh`).
  public private(set) var isPeerAttached = false
  /// Bytes dropped because no host was attached.
  public private(set) var droppedBytes = 0
  /// Hosts that attached so far.
  public private(set) var attachCount = 0
  /// Hosts that hung up so far.
  public private(set) var hangupCount = 0

  private var master: Int32
  private var watch: PortWatch?
  private var hangupPending = false
  /// An owner reports its polls (`polled(revents:watchRevents:)`): the inotify queue is then
  /// read only when that poll found it readable, not on every `read`.
  private var ownerPolls = false
  /// The owner's poll found the watch readable (or no poll was reported yet): drain it on read.
  private var watchSignalled = true
  /// The owner's last poll saw the attached host's master without a hang-up: the next `write`
  /// needs no `poll(0)` of its own.
  private var peerLiveAtPoll = false

  /// The link path hosts should open.
  public var path: String { linkPath }

  /// The pty master (for diagnostics; poll `pollDescriptor`, not this).
  public var masterDescriptor: FileDescriptor { FileDescriptor(rawValue: master) }

  /// The master while a host is attached, else the inotify descriptor that wakes on the next
  /// open of the slave. Without inotify (e.g. the per-user instance limit, 128 by default, was
  /// reached) and no host, -1: the hung-up master would report `POLLHUP` on every poll and spin
  /// the loop; the caller re-checks with `refresh()` every `maximumWaitMs` instead. Re-read
  /// before every wait.
  public var pollDescriptor: FileDescriptor {
    guard master >= 0 else { return FileDescriptor(rawValue: -1) }
    if isPeerAttached { return FileDescriptor(rawValue: master) }
    return FileDescriptor(rawValue: watch?.fd ?? -1)
  }

  /// The longest a super-loop should wait before calling `refresh()`: nil normally; 250 ms if
  /// inotify was unavailable and attach must be detected by re-checking; 0 while a shared
  /// instance (`InotifyHub`) holds events for this port that another port read.
  public var maximumWaitMs: Int32? {
    guard !isPeerAttached else { return nil }
    guard let watch else { return 250 }
    return watch.hasPending ? 0 : nil
  }

  /// While a host is attached, the inotify descriptor (its next event: that host closed, or
  /// another opened), for an owner that polls it beside the master and reports with
  /// `polled(revents:watchRevents:)`; nil otherwise.
  public var watchDescriptor: FileDescriptor? {
    guard master >= 0, isPeerAttached, let watch else { return nil }
    return FileDescriptor(rawValue: watch.fd)
  }

  /// What the owner's poll of `pollDescriptor` and `watchDescriptor` just saw. From now on,
  /// `read` drains the inotify queue only when such a poll found it readable (or a shared hub
  /// holds events for this port), and the first `write` after a poll that saw the host's master
  /// without `POLLHUP` skips its own `poll(0)`: two system calls fewer per request. A host
  /// that closes after the poll is found by the next pass's read (EIO or the watch), as before.
  public func polled(revents: Int16, watchRevents: Int16) {
    ownerPolls = true
    if watchRevents != 0 { watchSignalled = true }
    let bad = Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL)
    peerLiveAtPoll = isPeerAttached && revents & bad == 0 && watchRevents == 0
  }

  /// "virtual serial port /dev/pts/3, link /tmp/ketapump/pump0" — for the start-up line.
  public var summary: String { "virtual serial port \(ptsPath), link \(linkPath)" }

  private init(
    name: String, master: Int32, ptsPath: String, linkPath: String, runDirectory: RunDirectory,
    record: PortRecord, replacedStaleLink: String?, watch: PortWatch?, pacer: Pacer?
  ) {
    self.name = name
    self.master = master
    self.ptsPath = ptsPath
    self.linkPath = linkPath
    self.runDirectory = runDirectory
    self.record = record
    self.replacedStaleLink = replacedStaleLink
    self.watch = watch
    self.pacer = pacer
  }

  deinit { close() }

  /// Opens a pty pair in raw mode, links it and records it.
  ///
  /// - Parameters:
  ///   - name: port name: record `<runDirectory>/<name>.json`, default link `<runDirectory>/<name>`.
  ///   - link: the symlink hosts open (e.g. `/tmp/ketapump/pump0`); missing parent directories
  ///     are created. A stale link (dangling, or recorded for a dead process) is replaced; a
  ///     non-symlink or a live port's link is refused.
  ///   - runDirectory: where the record goes; `RunDirectory.default()` normally.
  ///   - deviceId: the simulated pump's id, stored in the record for discovery.
  ///   - settings: line settings stored in the pty's termios (a pty ignores baud; use `pacer`).
  ///   - pacer: optional output pacing.
  ///   - hub: a shared inotify instance for the slave's watch (a fleet's ports); nil, or a hub
  ///     that cannot watch, gives the port its own instance.
  /// - Throws: `TransportError` (`.invalidName`, `.nameInUse`, `.ptyUnavailable`,
  ///   `.linkPathOccupied`, `.linkInUse`, `.linkFailed`, `.runDirectory`, `.record`, `.termios`).
  public static func create(
    name: String = "pump0", link: String? = nil, runDirectory: RunDirectory = .default(),
    deviceId: String? = nil, settings: LineSettings = .standard, pacer: Pacer? = nil,
    hub: InotifyHub? = nil
  ) throws(TransportError) -> VirtualSerialPort {
    guard RunDirectory.isValidName(name) else { throw .invalidName(name) }
    try settings.validate()
    try runDirectory.create()
    let me = getpid()
    if let old = runDirectory.record(name: name), old.isLive {
      throw .nameInUse(name: name, pid: old.pid)
    }
    let (master, pts) = try openRawPty(settings: settings)
    var armed = true
    defer { if armed { Glibc.close(master) } }
    let linkPath = link ?? runDirectory.defaultLinkPath(name: name)
    let replaced = try LinkPlacer(runDirectory: runDirectory).place(link: linkPath, target: pts)
    let record = PortRecord(
      name: name, pid: me, ptsPath: pts, linkPath: linkPath, deviceId: deviceId,
      startTime: Date())
    do throws(TransportError) { try runDirectory.write(record) } catch {
      if FileSystem.readLink(linkPath) == pts { unlink(linkPath) }
      throw error
    }
    let mask = UInt32(IN_OPEN | IN_CLOSE)
    let watch: PortWatch? =
      hub.flatMap { h in h.add(path: pts, mask: mask).map { PortWatch.shared(h, $0) } }
      ?? Inotify(path: pts, mask: mask).map { PortWatch.own($0) }
    armed = false
    let port = VirtualSerialPort(
      name: name, master: master, ptsPath: pts, linkPath: linkPath, runDirectory: runDirectory,
      record: record, replacedStaleLink: replaced, watch: watch, pacer: pacer)
    port.refresh()
    return port
  }

  /// Re-checks whether a host holds the slave. Called by `read` and `write`; call it yourself
  /// after `maximumWaitMs`.
  ///
  /// The inotify queue is always drained *before* the master is checked, never after: an open
  /// of the slave that happens after the check leaves its `IN_OPEN` event queued and wakes the
  /// next poll. (Draining after the check lost the event of a host that reopened the port in
  /// between — a host that logged out, closed and reopened at once was never answered.) A host
  /// that closed and another that opened between two checks are reported as a hang-up followed
  /// by an attach, so the session of the first one still ends.
  public func refresh() {
    guard master >= 0 else { return }
    peerLiveAtPoll = false
    if isPeerAttached {
      guard masterHungUp() else { return }
      // The host is gone. Forget the open/close events seen while it was attached, then look
      // again: a new host may already have opened the slave.
      watch?.drain()
      hangupCount += 1
      hangupPending = true
      if masterHungUp() {
        isPeerAttached = false
      } else {
        attachCount += 1
      }
    } else {
      watch?.drain()
      if !masterHungUp() {
        isPeerAttached = true
        attachCount += 1
      }
    }
  }

  /// One `poll(0)` on the master: true while no host holds the slave.
  private func masterHungUp() -> Bool {
    TTYDescriptor(fd: master).revents() & Int16(POLLHUP) != 0
  }

  /// Reads what the host sent. `.hangup` once per disconnect; `.wouldBlock` while no host.
  public func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
    guard master >= 0 else { return .closed }
    if !isPeerAttached { refresh() }
    if hangupPending {
      hangupPending = false
      return .hangup
    }
    guard isPeerAttached else { return .wouldBlock }
    // A host that closed and a new one that opened before this port looked (a pty shows no
    // hang-up once the slave is open again) leave IN_CLOSE in the inotify queue: the first host
    // is gone, and its session must end before the new host's bytes are read.
    // Read only when the owner's poll found the queue readable (or no owner polls it).
    if let watch, !ownerPolls || watchSignalled || watch.hasPending {
      watchSignalled = false
      if watch.drain() & UInt32(IN_CLOSE) != 0 {
        peerLiveAtPoll = false
        hangupCount += 1
        if masterHungUp() { isPeerAttached = false } else { attachCount += 1 }
        return .hangup
      }
    }
    switch TTYDescriptor(fd: master).read(into: buffer) {
    case .bytes(let n): return .bytes(n)
    case .wouldBlock: return .wouldBlock
    case .endOfFile, .ioError, .failed:
      // EIO: the host closed the slave. It may have reopened it already (then the master no
      // longer reports a hang-up), but the first host is gone all the same.
      refresh()
      if !hangupPending {
        hangupCount += 1
        attachCount += 1
      }
      hangupPending = false
      return .hangup
    }
  }

  /// Writes to the host, paced if `pacer` is set. `.noPeer` (bytes dropped) while no host.
  public func write(_ bytes: UnsafeRawBufferPointer) -> WriteOutcome {
    guard master >= 0 else { return .closed }
    // Never queue output for a host that is gone: one poll(0), unless the owner's poll of this
    // pass already saw the host there (once per poll).
    if peerLiveAtPoll && isPeerAttached { peerLiveAtPoll = false } else { refresh() }
    guard isPeerAttached else {
      droppedBytes += bytes.count
      return .noPeer
    }
    switch TTYDescriptor(fd: master).write(bytes, pacer: &pacer) {
    case .bytes(let n): return .wrote(n)
    case .wouldBlock: return .wouldBlock
    case .endOfFile, .ioError, .failed:
      refresh()
      droppedBytes += bytes.count
      return .noPeer
    }
  }

  /// Removes the link (only if it still points at this port) and the record, and closes the
  /// master; hosts then see end of file / `EIO`. Idempotent; also done by `deinit`.
  public func close() {
    guard master >= 0 else { return }
    if FileSystem.readLink(linkPath) == ptsPath { unlink(linkPath) }
    if runDirectory.record(name: name)?.pid == record.pid { runDirectory.removeRecord(name: name) }
    watch?.close()
    watch = nil
    Glibc.close(master)
    master = -1
    isPeerAttached = false
  }
}
