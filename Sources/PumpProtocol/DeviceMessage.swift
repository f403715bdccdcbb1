/// Any frame a device sends: a reply, telemetry or an event.
public enum DeviceMessage: Hashable, Sendable {
  case reply(DeviceReply)
  /// `TLM,<dseq>,<25 fields>`.
  case telemetry(deviceSeq: UInt32, Telemetry)
  /// `EVT,<dseq>,<name>,<fields>`.
  case event(deviceSeq: UInt32, DeviceEvent)

  /// Parses a device frame.
  public init(parsing f: ParsedFrame) throws(ProtocolError) {
    switch f.kind {
    case "ACK", "NAK": self = .reply(try DeviceReply(parsing: f))
    case "TLM":
      var r = FieldReader(f.fields)
      let t = try Telemetry(reading: &r)
      try r.end()
      self = .telemetry(deviceSeq: f.seq, t)
    case "EVT":
      var r = FieldReader(f.fields)
      let e = try DeviceEvent(reading: &r)
      try r.end()
      self = .event(deviceSeq: f.seq, e)
    default: throw .unknownKind(f.kind)
    }
  }

  /// The body (what a MAC covers).
  public func body() -> FieldWriter {
    switch self {
    case .reply(let r): return r.body()
    case .telemetry(let s, let t):
      var w = FieldWriter(kind: "TLM", seq: s)
      t.encodeFields(into: &w)
      return w
    case .event(let s, let e):
      var w = FieldWriter(kind: "EVT", seq: s)
      e.encodeFields(into: &w)
      return w
    }
  }
}
