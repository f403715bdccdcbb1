import SerialTransport
import SystemPackage
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The wire fast path (issue 16): an owner that polls the port's descriptors itself, as the
/// firmware loop does, reports each poll (`polled(revents:watchRevents:)`); the port then reads
/// its inotify queue only when that poll found it readable and skips the `poll(0)` before the
/// first write after a poll that saw the host. The hang-up rules must hold exactly as without.
@Suite struct OwnerPollTests {
  /// One loop pass's wait: poll the master (or the idle watch) and, while a host is attached,
  /// the watch; report what was seen.
  private func ownerPoll(_ port: VirtualSerialPort, timeoutMs: Int32) {
    var fds = [pollfd(fd: port.pollDescriptor.rawValue, events: Int16(POLLIN), revents: 0)]
    if let w = port.watchDescriptor {
      fds.append(pollfd(fd: w.rawValue, events: Int16(POLLIN), revents: 0))
    }
    _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeoutMs) }
    port.polled(revents: fds[0].revents, watchRevents: fds.count > 1 ? fds[1].revents : 0)
  }

  /// Reads like the loop: poll, report, read; until `count` bytes or a hang-up (bounded).
  private func ownerRead(_ port: VirtualSerialPort, count: Int, hangups: inout Int) -> [UInt8] {
    var got: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 64)
    let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
    while got.count < count && MonotonicClock.nanoseconds() < deadline {
      ownerPoll(port, timeoutMs: 100)
      switch port.read(into: &buf) {
      case .bytes(let n): got += buf[0..<n]
      case .hangup: hangups += 1
      case .wouldBlock, .closed: break
      }
    }
    return got
  }

  @Test(
    "REQ-SERIAL-HUP-04: with the owner polling, a host that closes and a new one that opens between two passes: hang-up first, then the new host's bytes"
  )
  func closeAndReopenBetweenPasses() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    var hangups = 0
    do {
      let first = try RawPeer(port.linkPath)
      first.write(Array("LOGOUT".utf8))
      #expect(ownerRead(port, count: 6, hangups: &hangups) == Array("LOGOUT".utf8))
      #expect(port.watchDescriptor != nil, "an attached port offers its watch to the owner")
    }
    let second = try RawPeer(port.linkPath)
    second.write(Array("HELLO".utf8))
    #expect(ownerRead(port, count: 5, hangups: &hangups) == Array("HELLO".utf8))
    #expect(hangups == 1, "the first host's session must end before the second is read")
    #expect(port.hangupCount == 1 && port.attachCount == 2)
  }

  @Test(
    "REQ-SERIAL-HUP-05: with the owner polling, a write after a poll that saw the host gone is dropped (noPeer), and only the first write after a live poll skips the check"
  )
  func writeChecksUnlessThePollSawTheHost() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    var hangups = 0
    var host: RawPeer? = try RawPeer(port.linkPath)
    host?.write([0x31])
    #expect(ownerRead(port, count: 1, hangups: &hangups) == [0x31])
    // A live poll: the reply goes out without a check of its own and reaches the host.
    ownerPoll(port, timeoutMs: 0)
    #expect(port.write(Array("ACK".utf8)) == .wrote(3))
    #expect(host?.read(count: 3) == Array("ACK".utf8))
    // The host leaves after that poll: a second write in the same pass checks and drops.
    host = nil
    #expect(port.write(Array("late".utf8)) == .noPeer)
    // The next host is read after the first one's hang-up; when it leaves, the owner's poll
    // sees the hang-up and the write is checked and dropped.
    var later = 0
    do {
      let next = try RawPeer(port.linkPath)
      next.write([0x32])
      #expect(ownerRead(port, count: 1, hangups: &later) == [0x32])
      #expect(later == 1, "the first host's hang-up comes first")
    }
    ownerPoll(port, timeoutMs: 100)
    #expect(port.write(Array("gone".utf8)) == .noPeer)
    #expect(!port.isPeerAttached)
    #expect(port.droppedBytes == 8)
  }

  @Test(
    "REQ-SERIAL-HUP-06: with the owner polling, 100 close/reopen cycles at full speed: every host's first bytes are read after exactly one hang-up"
  )
  func manyFastReconnects() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    for i in 0..<100 {
      let host = try RawPeer(port.linkPath)
      let msg = Array("H\(i)".utf8)
      host.write(msg)
      var hangups = 0
      #expect(ownerRead(port, count: msg.count, hangups: &hangups) == msg, "host \(i) unread")
      #expect(hangups == (i == 0 ? 0 : 1), "host \(i): \(hangups) hang-ups")
    }
    #expect(port.hangupCount == 99)
  }
}
