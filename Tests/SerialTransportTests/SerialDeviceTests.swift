import Foundation
import SerialTransport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct SerialDeviceTests {
  @Test(
    "REQ-SERIAL-EXCL-01: a second exclusive open of a port is a clear busy error; free again after close"
  )
  func exclusive() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    let first = try SerialDevice.open(path: port.linkPath)
    #expect(throws: TransportError.busy(path: port.linkPath)) {
      try SerialDevice.open(path: port.linkPath)
    }
    #expect(TransportError.busy(path: port.linkPath).description.contains("busy"))
    first.close()
    let second = try SerialDevice.open(path: port.linkPath)
    second.close()
  }

  @Test(
    "REQ-SERIAL-SETTINGS-01: line settings are validated with errors naming the bad value, and read back"
  )
  func settings() throws {
    #expect(throws: TransportError.unsupportedBaud(12_345)) {
      try LineSettings(baud: 12_345).validate()
    }
    #expect(TransportError.unsupportedBaud(12_345).description.contains("12345"))
    #expect(throws: TransportError.unsupportedBaud(12_345)) {
      try SerialDevice.open(path: "/nonexistent", settings: LineSettings(baud: 12_345))
    }
    #expect(throws: TransportError.unsupportedDataBits(9)) {
      try LineSettings(dataBits: 9).validate()
    }
    #expect(throws: TransportError.unsupportedStopBits(3)) {
      try LineSettings(stopBits: 3).validate()
    }
    #expect(throws: TransportError.badFraming("8X1")) {
      try LineSettings(baud: 9600, framing: "8X1")
    }
    let framed = try LineSettings(baud: 9600, framing: "7e2", flowControl: .xonXoff)
    #expect(framed.description == "9600 7E2 xonxoff")
    #expect(framed.bitsPerByte == 11)
    #expect(LineSettings.standard.bitsPerByte == 10)
    #expect(throws: TransportError.openFailed(path: "/nonexistent/tty", .noSuchFileOrDirectory)) {
      try SerialDevice.open(path: "/nonexistent/tty")
    }
    #expect(throws: TransportError.notATerminal(path: "/dev/null")) {
      try SerialDevice.open(path: "/dev/null")
    }
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    for requested in [
      LineSettings.standard, LineSettings(baud: 9600, stopBits: 2, flowControl: .xonXoff),
      LineSettings(baud: 57_600, flowControl: .rtsCts),
    ] {
      let device = try SerialDevice.open(path: port.linkPath, settings: requested)
      #expect(device.requested == requested)
      #expect(device.actual == requested)
      device.close()
    }
    // Requested vs actual: the Linux pty driver forces 8 data bits and no parity, and the
    // read-back says so instead of pretending.
    let device = try SerialDevice.open(path: port.linkPath, settings: framed)
    #expect(device.requested == framed)
    #expect(device.actual.baud == 9600 && device.actual.stopBits == 2)
    #expect(device.actual.flowControl == .xonXoff)
    #expect(device.actual.dataBits == 8 && device.actual.parity == .none)
  }

  @Test("REQ-SERIAL-HUP-03: the host sees hangup when the simulator's port closes")
  func hostSeesHangup() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let port = try VirtualSerialPort.create(runDirectory: RunDirectory(path: dir))
    let host = try SerialDevice.open(path: port.linkPath)
    let link = port.linkPath
    port.close()
    #expect(access(link, F_OK) != 0, "the link is gone")
    var buf = [UInt8](repeating: 0, count: 8)
    #expect(try !waitReadable([host.pollDescriptor], timeoutMs: 1000).isEmpty)
    #expect(host.read(into: &buf) == .hangup)
    #expect(host.write([1, 2, 3]) == .hangup)
    host.close()
    #expect(host.read(into: &buf) == .closed)
  }
}
