import Crypto
import PumpNoise
import Testing

@testable import PumpProtocol

@Suite("Keys and key files")
struct KeyTests {
  static func secret(_ seed: UInt64 = 1) -> DeviceSecret {
    var rng = SeededGenerator(seed: seed)
    return DeviceSecret.generate(using: &rng)
  }

  @Test("REQ-PROTO-KEY-1: the published test-vector key can never be a device or role key")
  func testVectorKeyRefused() throws {
    let vector = Array(SHA256.hash(data: Array("KetaPump protocol test vector key v1".utf8)))
    #expect(throws: KeyError.testVectorKey) { try DeviceSecret(bytes: vector) }
    let test = DeviceSecret(testVectorOnly: vector)
    for r in Role.authenticated {
      let k = try test.roleKey(for: r)
      #expect(throws: KeyError.testVectorKey) { try RoleKey(role: r, bytes: k.bytes) }
    }
    #expect(throws: KeyError.weak) { try DeviceSecret(bytes: Array(repeating: 0, count: 32)) }
    #expect(throws: KeyError.wrongLength) { try DeviceSecret(bytes: [1, 2, 3]) }
    #expect(throws: KeyError.noKeyForObserver) { try Self.secret().roleKey(for: .observer) }
  }

  @Test("REQ-PROTO-KEY-2: role keys differ per role and are HMAC-SHA256(secret, label)")
  func derivation() throws {
    let s = Self.secret()
    let keys = try Role.authenticated.map { try s.roleKey(for: $0).bytes }
    #expect(Set(keys).count == 4)
    let expected = HMAC<SHA256>.authenticationCode(
      for: Array("KetaPump role key v1:patient".utf8), using: SymmetricKey(data: s.bytes))
    #expect(try s.roleKey(for: .patient).bytes == Array(expected))
  }

  @Test("REQ-PROTO-KEY-3: key file text round trip")
  func keyFileRoundTrip() throws {
    let s = Self.secret(2)
    let files = [
      KeyFile(deviceId: "KP-0001", content: .deviceSecret(s)),
      KeyFile(deviceId: "KP-0001", content: .roleKey(try s.roleKey(for: .patient))),
    ]
    for f in files {
      let text = f.formatted()
      #expect(text.hasPrefix("ketapump-key v1\ndevice KP-0001\nrole "))
      let back = try KeyFile(
        parsing: text.split(separator: "\n").map { $0 + "\r\n" }.joined() + "# comment\n")
      #expect(back.formatted() == text)
    }
  }

  @Test("REQ-PROTO-KEY-4: key file errors are typed")
  func keyFileErrors() throws {
    let hex = Self.secret(3).hexForKeyFile
    let cases: [(String, KeyFileError)] = [
      ("ketapump-key v2\ndevice A\nrole patient\nkey \(hex)\n", .badHeader),
      ("ketapump-key v1\ndevice A\nrole patient\n", .missingField("key")),
      (
        "ketapump-key v1\ndevice A\ndevice B\nrole patient\nkey \(hex)\n", .duplicateField("device")
      ),
      (
        "ketapump-key v1\ndevice A\nrole patient\nkey \(hex)\nextra 1\n", .unexpectedLine("extra 1")
      ),
      ("ketapump-key v1\ndevice A B\nrole patient\nkey \(hex)\n", .badDeviceId),
      ("ketapump-key v1\ndevice A\nrole observer\nkey \(hex)\n", .badRole),
      ("ketapump-key v1\ndevice A\nrole patient\nkey \(hex.lowercased())\n", .badKey),
      (
        "ketapump-key v1\ndevice A\nrole patient\nkey \(String(repeating: "00", count: 32))\n",
        .rejectedKey(.weak)
      ),
      (
        "ketapump-key v1\ndevice A\nrole device\nkey \(Hex.encode(DeviceSecret.testVectorBytes))\n",
        .rejectedKey(.testVectorKey)
      ),
    ]
    for (text, error) in cases {
      #expect(throws: error) { try KeyFile(parsing: text) }
    }
  }

  @Test("REQ-PROTO-KEY-5: keys, proofs and MACs never appear in descriptions or audit records")
  func redaction() throws {
    let s = Self.secret(4)
    let k = try s.roleKey(for: .clinician)
    let f = KeyFile(deviceId: "KP-1", content: .roleKey(k))
    for text in ["\(s)", "\(k)", "\(f)", String(reflecting: s), String(reflecting: k)] {
      #expect(!text.contains(s.hexForKeyFile) && !text.contains(k.hexForKeyFile))
      #expect(text.contains("redacted"))
    }
    var l = Link(role: .clinician)
    try l.connectAndLogin()
    let (_, bytes) = try l.host.send(.start, now: l.h.now)
    let macHex = String(String(decoding: bytes, as: UTF8.self).split(separator: "#")[1].prefix(16))
    var d = FrameDecoder()
    let frame = d.decodeAll(bytes)[0]
    #expect(!"\(frame)".contains(macHex))
    #expect("\(frame)".contains("#<mac>"))
    l.pump(bytes)
    for a in l.h.audits { #expect(!"\(a)".contains(macHex)) }
    #expect("\(HostRequest.auth(proof: [0xAB, 0xCD]))" == "AUTH(<proof>)")
    #expect(!"\(l.host.sessionKey!)".contains(Hex.encode(l.host.sessionKey!.keyBytes)))
  }
}
