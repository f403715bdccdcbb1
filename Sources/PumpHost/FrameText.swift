import PumpProtocol

/// Text for one line of raw traffic: the bytes hex-escaped with secrets redacted, and the decoded
/// frame. MACs become `#<mac>`, AUTH proofs `<proof>`, the LOGIN reply's device proof `<proof>`:
/// a traffic log can be shared without handing out anything that authenticates.
public enum FrameText {
  /// The line's bytes with printable ASCII kept, `\r` `\n` `\t` `\\` escaped and every other byte
  /// as `\xNN`; secrets redacted.
  public static func escaped(_ bytes: [UInt8]) -> String {
    var out = ""
    for b in redacted(bytes) {
      switch b {
      case 0x0D: out += "\\r"
      case 0x0A: out += "\\n"
      case 0x09: out += "\\t"
      case 0x5C: out += "\\\\"
      case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
      default:
        let h = Array("0123456789ABCDEF".utf8)
        out += "\\x" + String(decoding: [h[Int(b >> 4)], h[Int(b & 15)]], as: UTF8.self)
      }
    }
    return out
  }

  /// Replaces MACs and proofs inside frame text by placeholders.
  public static func redacted(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "#"), i + 16 < bytes.count + 1,
        bytes[(i + 1)..<min(i + 17, bytes.count)].count == 16,
        bytes[(i + 1)..<(i + 17)].allSatisfy(isHex)
      {
        out += Array("#<mac>".utf8)
        i += 17
        continue
      }
      out.append(bytes[i])
      i += 1
    }
    // AUTH,<seq>,<proof> and ACK,<seq>,LOGIN,<nonce>,<sid>,<proof>.
    let text = String(decoding: out, as: UTF8.self)
    guard let dollar = text.firstIndex(of: "$") else { return out }
    var fields = text[text.index(after: dollar)...].split(
      separator: ",", omittingEmptySubsequences: false
    ).map(String.init)
    func redactField(_ n: Int) {
      guard n < fields.count else { return }
      let f = fields[n]
      let end = f.firstIndex(where: { $0 == "*" || $0 == "#" }) ?? f.endIndex
      fields[n] = "<proof>" + f[end...]
    }
    if fields.first == "AUTH" { redactField(2) }
    if fields.first == "ACK", fields.count > 2, fields[2] == "LOGIN" { redactField(5) }
    return Array((String(text[..<dollar]) + "$" + fields.joined(separator: ",")).utf8)
  }

  static func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) }

  /// The decoded meaning of one received or sent line: `HELLO #1 1.0`, `TLM #5 infusing(basal)
  /// …`, `EVT #6 ALARM occlusion-downstream high`, `ACK #4 START`, `console: status`, or why it
  /// did not decode (`bad CRC`, `noise`).
  public static func decoded(_ bytes: [UInt8]) -> String {
    var d = FrameDecoder()
    var frames: [Frame] = []
    for b in bytes { if let f = d.feed(b) { frames.append(f) } }
    if let f = d.feed(0x0A) { frames.append(f) }
    guard let frame = frames.first else {
      if d.counters.crcErrors > 0 { return "bad CRC (dropped)" }
      if d.counters.framesDropped > 0 { return "malformed frame (dropped)" }
      return bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) ? "blank" : "noise"
    }
    switch frame {
    case .console(let line): return "console: \(line)"
    case .refused(.overlong): return "overlong line (dropped)"
    case .refused(.missingChecksum): return "frame without *CRC (dropped)"
    case .framed(let body):
      guard let f = try? ParsedFrame(body) else { return "unparsable frame" }
      let mac = f.mac == nil ? "" : " [MAC]"
      if let m = try? DeviceMessage(parsing: f) {
        switch m {
        case .reply(let r):
          return Describe.reply(r).replacingFirst("ACK", "ACK #\(r.seq)")
            .replacingFirst("NAK", "NAK #\(r.seq)") + mac
        case .telemetry(let s, let t): return "TLM #\(s) \(Describe.telemetry(t))\(mac)"
        case .event(let s, let e): return "EVT #\(s) \(Describe.event(e))\(mac)"
        }
      }
      if let r = try? HostRequest(parsing: f) {
        return "\(r.kind.rawValue) #\(f.seq)\(requestDetail(r))\(mac)"
      }
      return "\(f.kind) #\(f.seq) (not understood)"
    }
  }

  static func requestDetail(_ r: HostRequest) -> String {
    switch r {
    case .hello(let v): " \(v)"
    case .login(let role, _): " \(role.rawValue)"
    case .auth: " <proof>"
    default:
      CommandText.arguments(r).map { " " + $0 } ?? ""
    }
  }
}

extension String {
  func replacingFirst(_ prefix: String, _ with: String) -> String {
    hasPrefix(prefix) ? with + dropFirst(prefix.count) : self
  }
}
