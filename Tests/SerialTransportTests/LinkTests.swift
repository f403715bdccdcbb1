import Foundation
import SerialTransport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct LinkTests {
  @Test(
    "REQ-SERIAL-LINK-01: a chosen link (parents created) or the run-directory default; close removes link and record"
  )
  func createAndCleanUp() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let run = RunDirectory(path: dir + "/run")
    let chosen = dir + "/ketapump/deep/pump0"
    let port = try VirtualSerialPort.create(name: "a", link: chosen, runDirectory: run)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: chosen) == port.ptsPath)
    let other = try VirtualSerialPort.create(name: "b", runDirectory: run)
    #expect(other.linkPath == dir + "/run/b")
    let json = try String(contentsOfFile: run.recordPath(name: "a"), encoding: .utf8)
    for key in ["\"pid\"", "\"ptsPath\"", "\"linkPath\"", "\"startTime\"", "\"version\""] {
      #expect(json.contains(key))
    }
    port.close()
    other.close()
    port.close()  // idempotent
    #expect(access(chosen, F_OK) != 0 && FileManager.default.fileExists(atPath: chosen) == false)
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: chosen)) == nil)
    #expect(run.records().isEmpty)
  }

  @Test("REQ-SERIAL-LINK-02: a stale link is replaced: dangling target, or recorded owner dead")
  func staleReplaced() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let run = RunDirectory(path: dir)
    let link = dir + "/pump0"
    // 1. Dangling: the /dev/pts of a crashed run is gone.
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/pts/99999")
    let port = try VirtualSerialPort.create(name: "pump0", link: link, runDirectory: run)
    #expect(port.replacedStaleLink == "/dev/pts/99999")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == port.ptsPath)
    port.close()
    // 2. The target exists (pts numbers are reused) but the record's owner is dead.
    var m: Int32 = -1
    var s: Int32 = -1
    var name = [CChar](repeating: 0, count: 64)
    #expect(openpty(&m, &s, &name, nil, nil) == 0)
    defer {
      close(m)
      close(s)
    }
    let reused = String(
      decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: reused)
    try run.write(
      PortRecord(
        name: "crashed", pid: Int32.max - 1, ptsPath: reused, linkPath: link, deviceId: nil,
        startTime: Date(timeIntervalSince1970: 0)))
    let again = try VirtualSerialPort.create(name: "pump0", link: link, runDirectory: run)
    #expect(again.replacedStaleLink == reused)
    #expect(run.record(name: "crashed") == nil, "the dead owner's record is removed")
    again.close()
  }

  @Test(
    "REQ-SERIAL-LINK-03: never replaces a non-symlink, a live port's link, or a link to a device with no record"
  )
  func refusals() throws {
    let dir = makeTempDir()
    defer { cleanUp(dir) }
    let run = RunDirectory(path: dir)
    let file = dir + "/notalink"
    _ = FileManager.default.createFile(atPath: file, contents: Data("keep".utf8))
    #expect(throws: TransportError.linkPathOccupied(path: file)) {
      try VirtualSerialPort.create(name: "x", link: file, runDirectory: run)
    }
    #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep")
    let live = try VirtualSerialPort.create(name: "live", link: dir + "/shared", runDirectory: run)
    #expect(
      throws: TransportError.linkInUse(path: dir + "/shared", target: live.ptsPath, pid: getpid())
    ) {
      try VirtualSerialPort.create(name: "intruder", link: dir + "/shared", runDirectory: run)
    }
    #expect(throws: TransportError.nameInUse(name: "live", pid: getpid())) {
      try VirtualSerialPort.create(name: "live", link: dir + "/other", runDirectory: run)
    }
    let foreign = dir + "/socat0"
    try FileManager.default.createSymbolicLink(atPath: foreign, withDestinationPath: "/dev/null")
    #expect(throws: TransportError.linkInUse(path: foreign, target: "/dev/null", pid: nil)) {
      try VirtualSerialPort.create(name: "y", link: foreign, runDirectory: run)
    }
    #expect(throws: TransportError.invalidName("../evil")) {
      try VirtualSerialPort.create(name: "../evil", runDirectory: run)
    }
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/shared") == live.ptsPath)
    live.close()
  }

  @Test(
    "REQ-SERIAL-RUNDIR-01: run directory is $KETAPUMP_RUN_DIR, else $XDG_RUNTIME_DIR/ketapump, else /tmp/ketapump-<uid>"
  )
  func runDirectoryDefault() {
    #expect(
      RunDirectory.default(
        environment: ["KETAPUMP_RUN_DIR": "/a", "XDG_RUNTIME_DIR": "/b"], uid: 7)
        == RunDirectory(path: "/a"))
    #expect(
      RunDirectory.default(environment: ["XDG_RUNTIME_DIR": "/run/user/7"], uid: 7)
        == RunDirectory(path: "/run/user/7/ketapump"))
    #expect(RunDirectory.default(environment: [:], uid: 7) == RunDirectory(path: "/tmp/ketapump-7"))
  }
}
