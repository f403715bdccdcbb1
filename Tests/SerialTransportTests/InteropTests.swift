import Foundation
import SerialTransport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

private let socatPath = which("socat")
private let pyserialAvailable: Bool = {
  guard let python = which("python3") else { return false }
  let p = Process()
  p.executableURL = URL(fileURLWithPath: python)
  p.arguments = ["-c", "import serial"]
  p.standardError = FileHandle.nullDevice
  guard (try? p.run()) != nil else { return false }
  p.waitUntilExit()
  return p.terminationStatus == 0
}()

@Suite struct InteropTests {
  @Test(
    "REQ-SERIAL-SOCAT-01: a socat pty pair carries data between SerialDevice and a plain fd peer",
    .enabled(if: socatPath != nil, "socat is not installed (Tools/setup installs it)"))
  func socatPair() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let socat = Process()
    socat.executableURL = URL(fileURLWithPath: try #require(socatPath))
    socat.arguments = [
      "-d", "-d", "pty,raw,echo=0,link=\(dir)/ttyV0", "pty,raw,echo=0,link=\(dir)/ttyV1",
    ]
    socat.standardError = FileHandle.nullDevice
    try socat.run()
    // SIGKILL: the test runner's threads block SIGTERM, and spawned children inherit the mask.
    defer {
      kill(socat.processIdentifier, SIGKILL)
      socat.waitUntilExit()
    }
    #expect(waitExists("\(dir)/ttyV0") && waitExists("\(dir)/ttyV1"))
    let ours = try SerialDevice.open(path: "\(dir)/ttyV0")
    let peer = try RawPeer("\(dir)/ttyV1")
    #expect(writeAll(ours, allBytes) == .wrote(256))
    #expect(peer.read(count: 256) == allBytes)
    peer.write(Array("from the plain peer\r\n".utf8))
    #expect(readFrom(ours, count: 21) == Array("from the plain peer\r\n".utf8))
    kill(socat.processIdentifier, SIGKILL)
    socat.waitUntilExit()
    var buf = [UInt8](repeating: 0, count: 8)
    #expect(try !waitReadable([ours.pollDescriptor], timeoutMs: 2000).isEmpty)
    #expect(ours.read(into: &buf) == .hangup, "socat gone: hangup, not a crash")
  }

  @Test(
    "REQ-SERIAL-PYSERIAL-01: pyserial opens the simulator's virtual port path and exchanges bytes",
    .enabled(if: pyserialAvailable, "pyserial is missing (python3 -m pip install pyserial)"))
  func pyserial() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    let script = """
      import serial, sys
      s = serial.Serial(sys.argv[1], 115200, timeout=5)
      s.write(b"PING\\r\\n" + bytes(range(256)))
      s.flush()
      back = s.read(6 + 256)
      sys.exit(0 if back == b"PONG\\r\\n" + bytes(range(256)) else 3)
      """
    let py = Process()
    py.executableURL = URL(fileURLWithPath: try #require(which("python3")))
    py.arguments = ["-c", script, port.linkPath]
    try py.run()
    let got = readFrom(port, count: 6 + 256, timeoutMs: 10_000)
    #expect(got == Array("PING\r\n".utf8) + allBytes)
    #expect(writeAll(port, Array("PONG\r\n".utf8) + allBytes) == .wrote(262))
    py.waitUntilExit()
    #expect(py.terminationStatus == 0)
  }
}
