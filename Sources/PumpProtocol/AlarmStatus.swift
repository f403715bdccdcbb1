import PumpCore

/// One active alarm as reported in telemetry and ALARMS replies. Wire: one list item
/// `<code>:<priority>:<acknowledged 0|1>:<audio-pause remaining ms 0…999999>`, items joined by `;`.
public struct AlarmStatus: Hashable, Sendable {
  public var code: AlarmCode
  public var priority: AlarmPriority
  public var acknowledged: Bool
  /// Audio pause remaining; zero when not paused.
  public var audioPauseRemaining: Milliseconds

  public init(
    code: AlarmCode, priority: AlarmPriority? = nil, acknowledged: Bool = false,
    audioPauseRemaining: Milliseconds = .zero
  ) {
    self.code = code
    self.priority = priority ?? code.priority
    self.acknowledged = acknowledged
    self.audioPauseRemaining = audioPauseRemaining
  }

  func write(into w: inout FieldWriter) {
    w.appendDecimal(Int64(code.rawValue))
    w.byte(UInt8(ascii: ":"))
    w.appendDecimal(Int64(priority.rawValue))
    w.byte(UInt8(ascii: ":"))
    w.appendDecimal(acknowledged ? 1 : 0)
    w.byte(UInt8(ascii: ":"))
    w.appendDecimal(audioPauseRemaining.rawValue)
  }

  /// Writes a `;`-joined list as one field.
  static func writeList(_ list: some Collection<AlarmStatus>, into w: inout FieldWriter) {
    w.beginField()
    var first = true
    for a in list {
      if !first { w.byte(UInt8(ascii: ";")) }
      first = false
      a.write(into: &w)
    }
  }

  /// Parses a `;`-joined list of at most `max` items.
  static func parseList(_ field: Substring, max: Int) throws(ProtocolError) -> [AlarmStatus] {
    if field.isEmpty { return [] }
    let items = field.split(separator: ";", omittingEmptySubsequences: false)
    guard items.count <= max else { throw .outOfRange(field: "alarms") }
    var out: [AlarmStatus] = []
    for item in items {
      let parts = item.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 4 else { throw .malformed(field: "alarm") }
      let c = try FieldReader.parseInt(parts[0], "alarm code", 0...255)
      let p = try FieldReader.parseInt(parts[1], "alarm priority", 0...3)
      let a = try FieldReader.parseInt(parts[2], "alarm ack", 0...1)
      let ms = try FieldReader.parseInt(parts[3], "audio pause", 0...999_999)
      guard let code = AlarmCode(rawValue: UInt8(c)), let prio = AlarmPriority(rawValue: UInt8(p))
      else { throw .outOfRange(field: "alarm code") }
      out.append(
        AlarmStatus(
          code: code, priority: prio, acknowledged: a == 1, audioPauseRemaining: Milliseconds(ms)))
    }
    return out
  }
}
