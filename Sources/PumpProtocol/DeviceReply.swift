/// The one reply to a host request: ACK with a result or NAK with a code.
public struct DeviceReply: Hashable, Sendable {
  /// The request's sequence number.
  public var seq: UInt32
  public var result: Result

  public enum Result: Hashable, Sendable {
    case ack(AckResult)
    case nak(Nak)
  }

  public init(seq: UInt32, _ result: Result) {
    self.seq = seq
    self.result = result
  }

  /// The reply body (what a MAC covers).
  public func body() -> FieldWriter {
    switch result {
    case .nak(let n):
      var w = FieldWriter(kind: "NAK", seq: seq)
      w.text(n.code.rawValue < 10 ? "0\(n.code.rawValue)" : "\(n.code.rawValue)")
      w.int(max(min(n.detail, 999_999_999), -999_999_999))
      w.text(n.reason, maxLength: 100)
      return w
    case .ack(let a):
      var w = FieldWriter(kind: "ACK", seq: seq)
      w.text(a.kind.rawValue)
      switch a {
      case .done: break
      case .hello(let i), .version(let i): Self.writeInfo(i, into: &w)
      case .login(let c):
        w.hex(c.deviceNonce)
        w.hex(c.sessionId)
        w.hex(c.deviceProof)
      case .status(let t): t.encodeFields(into: &w)
      case .alarms(let p):
        w.int(Int64(min(max(p.total, 0), 99)))
        w.int(Int64(min(max(p.offset, 0), 99)))
        AlarmStatus.writeList(p.alarms, into: &w)
      case .log(let e):
        w.int(Int64(min(max(e.back, 0), 99_999)))
        w.int(Int64(min(max(e.available, 0), 99_999)))
        w.text(e.text, maxLength: 160)
      case .counters(let c):
        for v in c.values { w.int(Int64(v)) }
      case .audit(let e): e.encodeFields(into: &w)
      case .patient(let p): p.encodeFields(into: &w)
      }
      return w
    }
  }

  /// Parses an ACK or NAK frame.
  public init(parsing f: ParsedFrame) throws(ProtocolError) {
    var r = FieldReader(f.fields)
    seq = f.seq
    switch f.kind {
    case "NAK":
      let codeText = try r.next("code")
      guard codeText.utf8.count == 2,
        let code = NakCode(rawValue: UInt8(try FieldReader.parseInt(codeText, "code", 0...99)))
      else { throw .outOfRange(field: "code") }
      let detail = try r.int("detail", -999_999_999...999_999_999)
      let reason = try r.text("reason", maxLength: 100)
      result = .nak(Nak(code, detail: detail, reason: reason))
    case "ACK":
      let kindText = try r.next("kind")
      guard let kind = RequestKind(rawValue: String(kindText)) else {
        throw .unknownKind(String(kindText))
      }
      switch kind {
      case .hello: result = .ack(.hello(try Self.readInfo(&r)))
      case .version: result = .ack(.version(try Self.readInfo(&r)))
      case .login:
        result = .ack(
          .login(
            LoginChallenge(
              deviceNonce: try r.hex("nonce", count: 16), sessionId: try r.hex("sid", count: 8),
              deviceProof: try r.hex("proof", count: 16))))
      case .status: result = .ack(.status(try Telemetry(reading: &r)))
      case .alarms:
        let total = Int(try r.int("total", 0...99))
        let offset = Int(try r.int("offset", 0...99))
        let items = try AlarmStatus.parseList(try r.next("alarms"), max: AlarmPage.pageSize)
        result = .ack(.alarms(AlarmPage(total: total, offset: offset, alarms: items)))
      case .log:
        let back = Int(try r.int("back", 0...99_999))
        let available = Int(try r.int("available", 0...99_999))
        let text = try r.text("text", maxLength: 160)
        result = .ack(.log(LogEntry(back: back, available: available, text: text)))
      case .counters:
        var v: [UInt32] = []
        for i in 0..<12 { v.append(UInt32(try r.int("counter\(i)", 0...4_294_967_295))) }
        result = .ack(.counters(LinkCounters(values: v)))
      case .audit: result = .ack(.audit(try AuditEntry(reading: &r)))
      case .patient: result = .ack(.patient(try PatientReadout(reading: &r)))
      default: result = .ack(.done(kind))
      }
    default: throw .unknownKind(f.kind)
    }
    try r.end()
  }

  static func writeInfo(_ i: DeviceInfo, into w: inout FieldWriter) {
    w.text(i.deviceId, maxLength: 32)
    w.text(i.firmwareVersion, maxLength: 24)
    w.text(i.protocolVersion.description)
    w.text(i.hardwareProfile, maxLength: 32)
    w.hex([UInt8(i.capabilities.rawValue >> 8), UInt8(i.capabilities.rawValue & 0xFF)])
  }

  static func readInfo(_ r: inout FieldReader) throws(ProtocolError) -> DeviceInfo {
    let id = try r.text("device", maxLength: 32)
    guard DeviceInfo.isValidDeviceId(id) else { throw .malformed(field: "device") }
    let fw = try r.text("firmware", maxLength: 24)
    guard let v = ProtocolVersion(try r.next("version")) else {
      throw .malformed(field: "version")
    }
    let hw = try r.text("profile", maxLength: 32)
    let caps = try r.hex("caps", count: 2)
    return DeviceInfo(
      deviceId: id, firmwareVersion: fw, protocolVersion: v, hardwareProfile: hw,
      capabilities: Capabilities(rawValue: UInt16(caps[0]) << 8 | UInt16(caps[1])))
  }
}
