import PumpCore

extension Telemetry {
  /// Reads the 25 telemetry fields (docs/PROTOCOL.md §4.5) straight from the frame's bytes into
  /// `self`, reusing the storage of `alarms`: a value kept across frames is refilled without
  /// allocating. Same rules and errors as `init(reading:)`; after a throw `self` is partly
  /// overwritten and must not be used.
  public mutating func read(_ r: inout FieldCursor) throws(ProtocolError) {
    let code = try r.int("mode", 0...255)
    let sub = try r.int("sub", 0...255)
    guard let mode = Mode(code: UInt8(code), subCode: UInt8(sub)) else {
      throw .outOfRange(field: "mode")
    }
    self.mode = mode
    commandedRate = MicrolitersPerHour(try r.int("commanded", 0...9_999_999))
    measuredRate = MicrolitersPerHour(try r.int("measured", 0...9_999_999))
    deliveredTotal = Micrograms(try r.int("total", 0...99_999_999_999))
    delivered1h = Micrograms(try r.int("delivered1h", 0...999_999_999))
    limit1h = Micrograms(try r.int("limit1h", 0...999_999_999))
    delivered4h = Micrograms(try r.int("delivered4h", 0...999_999_999))
    limit4h = Micrograms(try r.int("limit4h", 0...999_999_999))
    lockoutRemaining = Milliseconds(try r.int("lockout", 0...99_999_999))
    bolusDemands = try r.int("demands", 0...999_999)
    bolusDeliveries = try r.int("deliveries", 0...999_999)
    reservoir = Microliters(try r.int("reservoir", 0...9_999_999))
    batteryRemaining = Milliseconds(try r.int("battery", 0...999_999_999))
    onMains = try r.bool("mains")
    upstreamPressure = MilliPSI(try r.int("upstream", 0...999_999))
    downstreamPressure = MilliPSI(try r.int("downstream", 0...999_999))
    vitals.sbp = try r.optionalInt("sbp", 0...999).map(Int32.init)
    vitals.dbp = try r.optionalInt("dbp", 0...999).map(Int32.init)
    vitals.hr = try r.optionalInt("hr", 0...999).map(Int32.init)
    vitals.spo2 = try r.optionalInt("spo2", 0...999).map(Int32.init)
    vitals.rr = try r.optionalInt("rr", 0...999).map(Int32.init)
    vitalsAge = try r.optionalInt("vitalsAge", 0...99_999_999).map { Milliseconds($0) }
    alarmCount = Int(try r.int("alarmCount", 0...99))
    try AlarmStatus.readList(try r.next("alarms"), max: Self.maxAlarms, into: &alarms)
  }
}

extension AlarmStatus {
  /// `parseList` on bytes, into `list` (emptied first, capacity kept).
  static func readList(_ field: ArraySlice<UInt8>, max: Int, into list: inout [AlarmStatus])
    throws(ProtocolError)
  {
    list.removeAll(keepingCapacity: true)
    if field.isEmpty { return }
    var items = 1
    for b in field where b == UInt8(ascii: ";") { items += 1 }
    guard items <= max else { throw .outOfRange(field: "alarms") }
    var start = field.startIndex
    while true {
      var end = start
      while end < field.endIndex, field[end] != UInt8(ascii: ";") { end += 1 }
      list.append(try readItem(field[start..<end]))
      if end == field.endIndex { return }
      start = end + 1
    }
  }

  /// One `code:priority:acknowledged:audioPauseRemaining` item.
  static func readItem(_ item: ArraySlice<UInt8>) throws(ProtocolError) -> AlarmStatus {
    var parts = 1
    for b in item where b == UInt8(ascii: ":") { parts += 1 }
    guard parts == 4 else { throw .malformed(field: "alarm") }
    var r = FieldCursor(item, separator: UInt8(ascii: ":"))
    let c = try FieldCursor.parseInt(r.part(), "alarm code", 0...255)
    let p = try FieldCursor.parseInt(r.part(), "alarm priority", 0...3)
    let a = try FieldCursor.parseInt(r.part(), "alarm ack", 0...1)
    let ms = try FieldCursor.parseInt(r.part(), "audio pause", 0...999_999)
    guard let code = AlarmCode(rawValue: UInt8(c)), let prio = AlarmPriority(rawValue: UInt8(p))
    else { throw .outOfRange(field: "alarm code") }
    return AlarmStatus(
      code: code, priority: prio, acknowledged: a == 1, audioPauseRemaining: Milliseconds(ms))
  }
}
