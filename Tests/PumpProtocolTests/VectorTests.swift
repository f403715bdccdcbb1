import Crypto
import Foundation
import PumpCore
import Testing

@testable import PumpProtocol

/// Yields bytes 0x10, 0x11, … (little-endian per UInt64) so the device's nonce and session id
/// are the published ones.
struct CountingBytes: RandomNumberGenerator {
  var next8: UInt8 = 0x10
  mutating func next() -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<8 {
      v |= UInt64(next8) << (8 * UInt64(i))
      next8 &+= 1
    }
    return v
  }
}

/// The test vectors of docs/PROTOCOL.md §10, computed here and compared with the document's
/// block. Only this suite uses the published test-vector key (it bypasses `DeviceSecret.init`,
/// which refuses it).
@Suite("Spec test vectors")
struct VectorTests {
  static let deviceId = "KP-VECTOR-1"
  static let info = DeviceInfo(
    deviceId: deviceId, firmwareVersion: "0.1.0", hardwareProfile: "sim-a",
    capabilities: .simulator)
  static let secret = DeviceSecret(testVectorOnly: DeviceSecret.testVectorBytes)
  static let hostNonce = Array(UInt8(0x00)...UInt8(0x0F))
  static let prescription = Prescription(
    drugEntry: DrugEntryID(3), careArea: .acutePostOp,
    concentration: MicrogramsPerMilliliter(1000), patientWeight: Grams(70_000),
    basalRate: MicrogramsPerHour(5000), loadingDose: .zero, bolusDose: Micrograms(10_000),
    bolusRate: MicrolitersPerHour(60_000), lockout: .minutes(10), maxBolusesPerHour: 4,
    limit1h: Micrograms(40_000), limit4h: Micrograms(120_000), vtbi: Microliters(100_000),
    kvoRate: MicrolitersPerHour(1000), rateIncreaseInterval: .hours(1))

  static func text(_ b: [UInt8]) -> String {
    var s = String(decoding: b, as: UTF8.self)
    if s.hasSuffix("\r\n") { s.removeLast(1) }  // "\r\n" is one Character
    return s
  }

  /// Runs the published login and a few commands through real sessions and records every
  /// value and frame.
  static func generate() throws -> [(String, String)] {
    var v: [(String, String)] = []
    let check = CRC16.ccittFalse(Array("123456789".utf8))
    v.append(("crc-check-123456789", Hex.encode([UInt8(check >> 8), UInt8(check & 0xFF)])))
    v.append(("test-secret", Hex.encode(DeviceSecret.testVectorBytes)))
    for r in Role.authenticated {
      v.append(("role-key-\(r.rawValue)", try secret.roleKey(for: r).hexForKeyFile))
    }
    var device = DeviceSession(
      config: DeviceSessionConfig(info: info), secret: secret, random: CountingBytes())
    var host = HostSession(
      config: HostSessionConfig(key: try secret.roleKey(for: .clinician), deviceId: deviceId))
    let now = Milliseconds(0)
    func exchange(_ name: String, _ bytes: [UInt8]) -> [UInt8] {
      v.append(("frame-\(name)", text(bytes)))
      var reply: [UInt8] = []
      var fw: [DeviceSessionAction] = device.receive(bytes: bytes, now: now)
      while !fw.isEmpty {
        let a = fw.removeFirst()
        switch a {
        case .send(let b): reply = b
        case .execute(let p):
          let r: CommandResult =
            p.request == .status ? .status(Telemetry(mode: .idle)) : .rejected(.notAllowedInMode)
          fw += device.complete(p, with: p.request == .start ? .accepted : r, now: now)
        default: break
        }
      }
      v.append(("frame-\(name)-reply", text(reply)))
      var next: [UInt8] = []
      for a in host.receive(bytes: reply, now: now) { if case .send(let b) = a { next = b } }
      return next
    }
    _ = exchange("hello", try host.send(.hello(.current), now: now).bytes)
    let auth = exchange("login", try host.login(hostNonce: hostNonce, now: now).bytes)
    let ctx = Handshake.context(
      deviceId: deviceId, role: .clinician, hostNonce: hostNonce,
      deviceNonce: Array(0x10...0x1F), sessionId: Array(0x20...0x27))
    let key = try secret.roleKey(for: .clinician)
    v.append(("login-context", ctx))
    v.append(("device-proof", Hex.encode(Handshake.deviceProof(key: key, context: ctx))))
    v.append(("host-proof", Hex.encode(Handshake.hostProof(key: key, context: ctx))))
    let sk = Handshake.sessionKey(key: key, context: ctx, sessionId: Array(0x20...0x27))
    v.append(("session-key", Hex.encode(sk.keyBytes)))
    _ = exchange("auth", auth)
    let start = try host.send(.start, now: now).bytes
    v.append(("mac-input-start", "H" + Hex.encode(sk.sessionId) + "," + "START,4"))
    _ = exchange("start", start)
    _ = exchange("program", try host.send(.program(prescription), now: now).bytes)
    _ = exchange("status", try host.send(.status, now: now).bytes)
    let tlm = device.telemetryFrame(
      Telemetry(
        mode: .infusing(.basal), commandedRate: MicrolitersPerHour(5000),
        measuredRate: MicrolitersPerHour(4990), deliveredTotal: Micrograms(12_500),
        delivered1h: Micrograms(5000), limit1h: Micrograms(40_000),
        delivered4h: Micrograms(12_500), limit4h: Micrograms(120_000),
        lockoutRemaining: Milliseconds(0), bolusDemands: 2, bolusDeliveries: 1,
        reservoir: Microliters(87_500), batteryRemaining: .hours(6), onMains: true,
        upstreamPressure: MilliPSI(200), downstreamPressure: MilliPSI(1500),
        vitals: VitalsSample(sbp: 128, dbp: 82, hr: 76, spo2: 97), vitalsAge: Milliseconds(1200),
        alarms: [AlarmStatus(code: .batteryLow, acknowledged: true)]))
    v.append(("frame-telemetry", text(tlm)))
    let evt = device.eventFrame(.bolusDenied(.lockout, lockoutRemaining: Milliseconds(420_000)))
    v.append(("frame-event", text(evt)))
    let plain = try FrameEncoder.frame(body: Array("VITALS,9,128,82,76,97,".utf8))
    v.append(("frame-vitals-unauthenticated", text(plain)))
    return v
  }

  static func documentVectors() throws -> [(String, String)] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("docs/PROTOCOL.md")
    let doc = try String(contentsOf: url, encoding: .utf8)
    guard let b = doc.range(of: "<!-- BEGIN VECTORS -->"),
      let e = doc.range(of: "<!-- END VECTORS -->")
    else { return [] }
    return doc[b.upperBound..<e.lowerBound].split(separator: "\n").compactMap { line in
      guard let eq = line.range(of: " = ") else { return nil }
      return (String(line[..<eq.lowerBound]), String(line[eq.upperBound...]))
    }
  }

  @Test("REQ-PROTO-VEC: docs/PROTOCOL.md's vectors match what the code produces")
  func vectors() throws {
    let generated = try Self.generate()
    let block = generated.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")
    if let out = ProcessInfo.processInfo.environment["KETAPUMP_VECTORS_OUT"] {
      try block.write(toFile: out, atomically: true, encoding: .utf8)
    }
    let doc = try Self.documentVectors()
    #expect(doc.count == generated.count)
    for (g, d) in zip(generated, doc) {
      #expect(g.0 == d.0)
      #expect(g.1 == d.1, "\(g.0)")
    }
  }

  @Test("every vector frame decodes with a good CRC")
  func framesDecode() throws {
    for (name, value) in try Self.generate() where name.hasPrefix("frame-") {
      var d = FrameDecoder()
      #expect(d.decodeAll(Array((value + "\r\n").utf8)).count == 1, "\(name)")
    }
  }
}
