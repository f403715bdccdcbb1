import Foundation
import SerialTransport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct DiscoveryTests {
  @Test(
    "REQ-SERIAL-DISC-01: enumeration returns well-formed entries, live virtual ports with their pid, and JSON that parses"
  )
  func enumerate() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let run = RunDirectory(path: dir)
    let port = try VirtualSerialPort.create(name: "sim7", runDirectory: run, deviceId: "KP-SIM-7")
    try run.write(
      PortRecord(
        name: "ghost", pid: Int32.max - 1, ptsPath: "/dev/pts/99998", linkPath: dir + "/ghost",
        deviceId: nil, startTime: Date()))
    _ = FileManager.default.createFile(atPath: dir + "/junk.json", contents: Data("{not json".utf8))
    let ports = PortDiscovery.enumerate(runDirectory: run)
    for p in ports {
      #expect(p.path.hasPrefix("/dev/"))
      #expect(!p.hwid.isEmpty)
      #expect(
        !p.path.hasPrefix("/dev/tty") || !(p.path.dropFirst(8).first?.isNumber ?? false),
        "no virtual consoles")
      #expect(p.path != "/dev/ptmx" && p.path != "/dev/console")
    }
    let virtual = ports.filter { $0.kind == .virtualKetapump }
    #expect(virtual.count == 1, "the stale 'ghost' record is skipped")
    let v = try #require(virtual.first)
    #expect(v.path == port.ptsPath && v.link == port.linkPath)
    #expect(v.processId == getpid() && v.deviceId == "KP-SIM-7" && v.name == "sim7")
    #expect(v.hwid == "KETAPUMP PID=\(getpid()) ID=KP-SIM-7")
    let json = PortDiscovery.json(ports)
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    #expect(parsed.count == ports.count)
    #expect(
      parsed.allSatisfy { $0["path"] is String && $0["kind"] is String && $0["hwid"] is String })
    #expect(try JSONDecoder().decode([PortInfo].self, from: Data(json.utf8)) == ports)
    let table = PortTable.render(ports)
    #expect(table.contains(port.linkPath) && table.hasPrefix("PORT"))
    port.close()
    #expect(PortDiscovery.enumerate(runDirectory: run).allSatisfy { $0.kind != .virtualKetapump })
  }

  @Test(
    "REQ-SERIAL-DISC-02: pyserial-style hwid; legacy ttyS placeholders (type 0 / serial8250 platform) are filtered"
  )
  func hwidAndFilter() throws {
    #expect(
      PortInfo.usbHWID(vid: 0x0403, pid: 0x6001, serial: "A12345", location: "1-1.2")
        == "USB VID:PID=0403:6001 SER=A12345 LOCATION=1-1.2")
    #expect(
      PortInfo.usbHWID(vid: 0x10C4, pid: 0xEA60, serial: nil, location: nil)
        == "USB VID:PID=10C4:EA60")
    for p in PortDiscovery.enumerate(runDirectory: RunDirectory(path: "/nonexistent"))
    where p.path.hasPrefix("/dev/ttyS") {
      let name = String(p.path.dropFirst(5))
      let type =
        (try? String(contentsOfFile: "/sys/class/tty/\(name)/type", encoding: .utf8)) ?? "?"
      #expect(type.trimmingCharacters(in: .whitespacesAndNewlines) != "0", "\(p.path) has no UART")
      #expect(p.kind != .platform || p.driver != "serial8250")
    }
    let table = PortTable.render([])
    #expect(table == "no serial ports found")
  }

  @Test(
    "REQ-SERIAL-WATCH-01: the watcher reports virtual ports added and removed; without netlink it says so once and polls"
  )
  func watch() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let run = RunDirectory(path: dir)
    var notices: [String] = []
    let watcher = PortWatcher(
      runDirectory: run, pollIntervalMs: 200, notice: { notices.append($0) })
    switch watcher.mode {
    case .netlink: #expect(notices.isEmpty)
    case .polling: #expect(notices.count == 1 && notices[0].contains("polling"))
    }
    let forced = PortWatcher(runDirectory: run, useNetlink: false, notice: { notices.append($0) })
    #expect(forced.mode == .polling(reason: "netlink disabled"))
    let port = try VirtualSerialPort.create(name: "w1", runDirectory: run)
    var events: [PortEvent] = []
    let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
    while events.isEmpty && MonotonicClock.nanoseconds() < deadline {
      events = watcher.next(timeoutMs: 1000).filter { $0.port.kind == .virtualKetapump }
    }
    #expect(events.map(\.event) == [.added])
    #expect(events.first?.port.link == port.linkPath)
    port.close()
    events = []
    while events.isEmpty && MonotonicClock.nanoseconds() < deadline + 5_000_000_000 {
      events = watcher.next(timeoutMs: 1000).filter { $0.port.kind == .virtualKetapump }
    }
    #expect(events.map(\.event) == [.removed])
    let line = PortDiscovery.jsonLine(events[0])
    #expect(line.hasPrefix("{") && !line.contains("\n") && line.contains("\"removed\""))
    #expect(PortTable.line(events[0]).hasPrefix("- "))
  }
}
