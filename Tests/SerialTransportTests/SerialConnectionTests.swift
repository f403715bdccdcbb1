import Foundation
import SerialTransport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct SerialConnectionTests {
  @Test(
    "REQ-SERIAL-ASYNC-01: the async host API streams bytes from a reader thread and writes without blocking the pool"
  )
  func asyncExchange() async throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    let link = try SerialConnection.open(path: port.linkPath)
    #expect(link.actual == .standard)
    try await link.write(Array("HELLO\r\n".utf8) + allBytes)
    #expect(readFrom(port, count: 263) == Array("HELLO\r\n".utf8) + allBytes)
    #expect(writeAll(port, allBytes) == .wrote(256))
    var got: [UInt8] = []
    for await chunk in link.bytes {
      got += chunk
      if got.count >= 256 { break }
    }
    #expect(got == allBytes)
    link.close()
    #expect(link.endReason == .closed)
    await #expect(throws: TransportError.closed(path: port.linkPath)) {
      try await link.write([1])
    }
  }

  @Test(
    "REQ-SERIAL-RECONNECT-01: the host sees the port vanish, waits for the link to return, and reconnects"
  )
  func reconnect() async throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let run = RunDirectory(path: dir)
    let linkPath = dir + "/pump0"
    let first = try VirtualSerialPort.create(name: "pump0", link: linkPath, runDirectory: run)
    let link = try SerialConnection.open(path: linkPath)
    first.close()  // the simulator goes away
    for await _ in link.bytes {}
    #expect(link.endReason == .hangup)
    link.close()
    await #expect(throws: TransportError.timedOut(path: linkPath, milliseconds: 100)) {
      try await SerialConnection.waitForPath(linkPath, timeout: .milliseconds(100))
    }
    async let back: Void = SerialConnection.waitForPath(linkPath, timeout: .seconds(5))
    try await Task.sleep(for: .milliseconds(100))
    let second = try VirtualSerialPort.create(name: "pump0", link: linkPath, runDirectory: run)
    try await back
    let again = try SerialConnection.open(path: linkPath)
    try await again.write(Array("back".utf8))
    #expect(readFrom(second, count: 4) == Array("back".utf8))
    again.close()
    second.close()
  }
}
