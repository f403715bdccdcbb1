import SerialTransport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The first-run wedge (issue 11): a host that logs out, closes and reopens the port at once.
/// A pty master shows no hang-up once the slave is open again, so a port that only looks at the
/// master can miss the change of host, or (draining inotify after the check) miss the new open.
@Suite struct ReconnectRaceTests {
  @Test(
    "REQ-SERIAL-HUP-04: a host that closes and a new one that opens before the port looks: hang-up reported first, then the new host's bytes"
  )
  func closeAndReopenUnseen() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    var buf = [UInt8](repeating: 0, count: 64)
    do {
      let first = try RawPeer(port.linkPath)
      first.write(Array("LOGOUT".utf8))
      #expect(readFrom(port, count: 6) == Array("LOGOUT".utf8))
    }
    // The port does not look while the first host closes and the second opens and writes.
    let second = try RawPeer(port.linkPath)
    second.write(Array("HELLO".utf8))
    #expect(port.read(into: &buf) == .hangup, "the first host's session must end")
    #expect(port.isPeerAttached, "the second host is attached")
    #expect(readFrom(port, count: 5) == Array("HELLO".utf8))
    #expect(port.hangupCount == 1 && port.attachCount == 2)
    #expect(writeAll(port, Array("ACK".utf8)) == .wrote(3))
    #expect(second.read(count: 3) == Array("ACK".utf8))
  }

  @Test(
    "REQ-SERIAL-HUP-05: a hang-up seen by a write, then a new host: its open wakes the poll and its bytes are read"
  )
  func hangupSeenByWriteThenReopen() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    var buf = [UInt8](repeating: 0, count: 64)
    do {
      let first = try RawPeer(port.linkPath)
      first.write([0x31])
      #expect(readFrom(port, count: 1) == [0x31])
    }
    #expect(port.write(Array("ACK".utf8)) == .noPeer)
    #expect(!port.isPeerAttached)
    let second = try RawPeer(port.linkPath)
    second.write(Array("HELLO".utf8))
    #expect(
      try !waitReadable([port.pollDescriptor], timeoutMs: 1000).isEmpty,
      "the new host's open must wake the loop")
    #expect(port.read(into: &buf) == .hangup)
    #expect(readFrom(port, count: 5) == Array("HELLO".utf8))
  }

  @Test(
    "REQ-SERIAL-HUP-06: 200 close/reopen cycles at full speed: every host's first bytes are read after exactly one hang-up"
  )
  func manyFastReconnects() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    var buf = [UInt8](repeating: 0, count: 64)
    for i in 0..<200 {
      let host = try RawPeer(port.linkPath)
      let msg = Array("H\(i)".utf8)
      host.write(msg)
      var got: [UInt8] = []
      var hangups = 0
      let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
      while got.count < msg.count && MonotonicClock.nanoseconds() < deadline {
        switch port.read(into: &buf) {
        case .bytes(let n): got += buf[0..<n]
        case .hangup: hangups += 1
        case .wouldBlock: _ = try? waitReadable([port.pollDescriptor], timeoutMs: 100)
        case .closed: break
        }
      }
      #expect(got == msg, "host \(i) was never read")
      #expect(hangups == (i == 0 ? 0 : 1), "host \(i): \(hangups) hang-ups")
    }
    #expect(port.hangupCount == 199)
  }
}
