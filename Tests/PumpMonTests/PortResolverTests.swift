import Foundation
import KetaPumpTestSupport
import PumpHost
import SerialTransport
import Testing

@Suite("PortResolver", .serialized)
struct PortResolverTests {
  @Test(
    "REQ-MON-PORT-01: a port argument may be a path, a device id, a run-directory name or --latest; unknown and stopped ports get clear errors",
    .timeLimit(.minutes(1)))
  func resolve() throws {
    let bench = try Bench("KP-MON-P1")
    let resolver = PortResolver(runDirectory: RunDirectory(path: bench.runDir))
    let byId = try resolver.resolve("KP-MON-P1")
    #expect(byId.path == bench.sim.port)
    #expect(byId.deviceId == "KP-MON-P1")
    #expect(try resolver.resolve("kp-mon-p1").path == bench.sim.port)
    #expect(try resolver.resolve(bench.sim.port).how == "path")
    #expect(try resolver.resolve(nil, latest: true).path == bench.sim.port)
    #expect(resolver.recordIsLive("kp-mon-p1"))
    #expect(throws: PortResolveError.missing) { try resolver.resolve(nil) }
    #expect(throws: PortResolveError.both) { try resolver.resolve("x", latest: true) }
    do {
      _ = try resolver.resolve("KP-NOPE")
      Issue.record("resolved an unknown port")
    } catch {
      #expect(error.description.contains("unknown port 'KP-NOPE'"))
      #expect(error.description.contains("KP-MON-P1"))
    }
    bench.sim.stop(SIGKILL)
    #expect(!resolver.recordIsLive("kp-mon-p1"))
    #expect(throws: PortResolveError.self) { try resolver.resolve("KP-MON-P1") }
  }

  @Test(
    "REQ-MON-PORT-02: pumpmon works on any tty speaking the protocol (a socat pair) and shows requested vs actual line settings",
    .timeLimit(.minutes(1)), .enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/socat")))
  func socatPair() throws {
    let bench = try Bench("KP-MON-P2")
    let dir = temporaryDirectory("socat")
    // socat bridges the simulator's pty to a pty of its own: pumpmon sees a plain tty.
    let socat = Process()
    socat.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
    socat.arguments = ["pty,raw,echo=0,link=\(dir)/ttyV0", "\(bench.sim.port),raw,echo=0"]
    try socat.run()
    defer { if socat.isRunning { kill(socat.processIdentifier, SIGKILL) } }
    try #require(
      poll(until: { FileManager.default.fileExists(atPath: "\(dir)/ttyV0") }, timeout: 5),
      "socat made no pty within 5 s")
    let r = try pumpmon(
      ["connect", "\(dir)/ttyV0", "--plain", "--duration", "1500ms", "--baud", "9600"],
      runDir: bench.runDir)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("to KP-MON-P2 on \(dir)/ttyV0, line 9600 8N1 (actual 9600 8N1)"))
    #expect(r.out.contains("TLM  idle"))
    #expect(bench.sim.stop() == 0)
  }
}
