import Foundation
import SerialTransport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct VirtualSerialPortTests {
  @Test("REQ-SERIAL-PTY-01: create opens a pty pair, links it and records it")
  func create() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let run = RunDirectory(path: dir + "/run")
    let port = try VirtualSerialPort.create(name: "pump0", runDirectory: run, deviceId: "KP-T-1")
    #expect(port.ptsPath.hasPrefix("/dev/pts/"))
    #expect(port.linkPath == dir + "/run/pump0")
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: port.linkPath) == port.ptsPath)
    #expect(isatty(port.masterDescriptor.rawValue) == 1)
    let record = try #require(run.record(name: "pump0"))
    #expect(record.pid == getpid())
    #expect(record.ptsPath == port.ptsPath)
    #expect(record.linkPath == port.linkPath)
    #expect(record.deviceId == "KP-T-1")
    #expect(port.summary.contains(port.ptsPath) && port.summary.contains(port.linkPath))
    port.close()
  }

  @Test(
    "REQ-SERIAL-RAW-01: raw mode: no echo, no CR/LF translation, all 256 byte values pass both ways"
  )
  func rawMode() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    let peer = try RawPeer(port.linkPath)  // the peer changes no termios setting
    let payload = allBytes + [0x0D, 0x0A, 0x0D, 0x03, 0x04, 0x1A, 0x11, 0x13]
    peer.write(payload)
    #expect(readFrom(port, count: payload.count) == payload)
    #expect(peer.read(count: 1, timeoutMs: 50).isEmpty, "no echo back to the sender")
    #expect(writeAll(port, payload) == .wrote(payload.count))
    #expect(peer.read(count: payload.count) == payload)
    var buf = [UInt8](repeating: 0, count: 16)
    #expect(port.read(into: &buf) == .wouldBlock, "no echo of our own output")
  }

  @Test("REQ-SERIAL-IO-01: non-blocking read and write both directions, wouldBlock when idle")
  func bothDirections() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    let host = try SerialDevice.open(path: port.linkPath)
    var buf = [UInt8](repeating: 0, count: 64)
    #expect(port.read(into: &buf) == .wouldBlock)
    #expect(host.read(into: &buf) == .wouldBlock)
    // 64 KiB host → simulator, interleaved (the pty holds only a few KiB in flight).
    let big = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    var received: [UInt8] = []
    var sent = 0
    let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
    while received.count < big.count && MonotonicClock.nanoseconds() < deadline {
      if sent < big.count,
        case .wrote(let n) = host.write(Array(big[sent..<min(big.count, sent + 1024)]))
      {
        sent += n
      }
      received += readFrom(port, count: min(1024, sent - received.count), timeoutMs: 100)
    }
    let intact = received == big
    #expect(intact, "64 KiB arrive intact and in order (\(received.count) bytes)")
    #expect(writeAll(port, Array("STATUS\r\n".utf8)) == .wrote(8))
    #expect(readFrom(host, count: 8) == Array("STATUS\r\n".utf8))
  }

  @Test(
    "REQ-SERIAL-HUP-01: host closes: hangup once, writes dropped as noPeer, next host served without stale bytes"
  )
  func hangupAndReattach() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    var buf = [UInt8](repeating: 0, count: 64)
    #expect(!port.isPeerAttached)
    #expect(port.write(Array("early".utf8)) == .noPeer)
    do {
      let first = try RawPeer(port.linkPath)
      first.write(Array("one".utf8))
      #expect(readFrom(port, count: 3) == Array("one".utf8))
      #expect(port.isPeerAttached)
    }
    // The first host is gone: the master reports EIO; the port says so once.
    #expect(try !waitReadable([port.pollDescriptor], timeoutMs: 1000).isEmpty)
    #expect(port.read(into: &buf) == .hangup)
    #expect(port.read(into: &buf) == .wouldBlock)
    #expect(!port.isPeerAttached)
    #expect(port.write(Array("stale".utf8)) == .noPeer)
    #expect(port.droppedBytes == 10)
    // A second tool attaches (with the plain fd, which does not flush): no stale output.
    let second = try RawPeer(port.linkPath)
    #expect(try !waitReadable([port.pollDescriptor], timeoutMs: 1000).isEmpty)
    second.write(Array("two".utf8))
    #expect(readFrom(port, count: 3) == Array("two".utf8))
    #expect(writeAll(port, Array("fresh".utf8)) == .wrote(5))
    #expect(second.read(count: 5) == Array("fresh".utf8))
    #expect(port.attachCount == 2 && port.hangupCount == 1)
  }

  @Test(
    "REQ-SERIAL-HUP-02: with no host attached the port's poll descriptor stays quiet (idle ~0 % CPU)"
  )
  func idleWithoutPeer() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    do { _ = try RawPeer(port.linkPath) }  // attach and leave: the master now reports POLLHUP
    var buf = [UInt8](repeating: 0, count: 8)
    _ = readFrom(port, count: 1, timeoutMs: 200)
    #expect(port.maximumWaitMs == nil, "inotify watches the slave")
    var t0 = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0)
    var wakeups = 0
    let start = MonotonicClock.nanoseconds()
    while MonotonicClock.nanoseconds() - start < 300_000_000 {
      if try !waitReadable([port.pollDescriptor], timeoutMs: 100).isEmpty {
        wakeups += 1
        _ = port.read(into: &buf)
      }
    }
    var t1 = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1)
    let cpuMs = Double(t1.tv_sec - t0.tv_sec) * 1000 + Double(t1.tv_nsec - t0.tv_nsec) / 1e6
    #expect(wakeups <= 1)
    #expect(cpuMs < 30, "CPU while idle for 300 ms: \(cpuMs) ms")
    let peer = try RawPeer(port.linkPath)
    #expect(
      try !waitReadable([port.pollDescriptor], timeoutMs: 1000).isEmpty, "an open wakes the loop")
    peer.write([0x42])
    #expect(readFrom(port, count: 1) == [0x42])
  }

  @Test(
    "REQ-SERIAL-PACE-02: a paced port writes at most the burst, then wouldBlock until budget returns"
  )
  func pacedWrite() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(
      runDirectory: RunDirectory(path: dir), pacer: Pacer(baud: 9600, burstBytes: 32))
    let peer = try RawPeer(port.linkPath)
    let data = [UInt8](repeating: 0x55, count: 100)
    #expect(port.write(data) == .wrote(32))
    #expect(port.write(data) == .wouldBlock)
    #expect(port.pacingDelayMilliseconds() >= 1)
    #expect(peer.read(count: 32).count == 32)
  }
}
