import PumpCore

/// The fast-changing part of a telemetry snapshot, sent as a `TLC` frame between full `TLM`
/// keyframes once a host asked for it (`TLMRATE,<seq>,<Hz>,TLC`; docs/PROTOCOL.md §4.5.1).
/// Nine fields; its longest frame (`maxFrameBytes`, MAC'd) is 102 bytes, so 100 Hz with one full
/// keyframe per second needs 10,340 B/s and fits 115200 8N1 with 10 % to spare.
public struct CompactTelemetry: Hashable, Sendable {
  /// The longest TLC frame on the wire: every field at its maximum, device seq 4294967295,
  /// MAC, CR LF (pinned by a test).
  public static let maxFrameBytes = 102

  /// Controller mode; its code and sub-code are single digits (0–9) on the wire.
  public var mode: Mode
  /// Rate the motor is commanded to, µL/h, 0…9999999.
  public var commandedRate: MicrolitersPerHour
  /// Rate measured from motor steps, µL/h, 0…9999999.
  public var measuredRate: MicrolitersPerHour
  /// Drug delivered since the therapy started, µg, 0…99999999999.
  public var deliveredTotal: Micrograms
  /// Patient-bolus lockout remaining, ms, 0…99999999.
  public var lockoutRemaining: Milliseconds
  /// Reservoir volume, µL, 0…9999999.
  public var reservoir: Microliters
  /// Upstream line pressure, milli-psi, 0…999999.
  public var upstreamPressure: MilliPSI
  /// Downstream line pressure, milli-psi, 0…999999.
  public var downstreamPressure: MilliPSI

  public init(
    mode: Mode, commandedRate: MicrolitersPerHour = .zero,
    measuredRate: MicrolitersPerHour = .zero, deliveredTotal: Micrograms = .zero,
    lockoutRemaining: Milliseconds = .zero, reservoir: Microliters = .zero,
    upstreamPressure: MilliPSI = .zero, downstreamPressure: MilliPSI = .zero
  ) {
    self.mode = mode
    self.commandedRate = commandedRate
    self.measuredRate = measuredRate
    self.deliveredTotal = deliveredTotal
    self.lockoutRemaining = lockoutRemaining
    self.reservoir = reservoir
    self.upstreamPressure = upstreamPressure
    self.downstreamPressure = downstreamPressure
  }

  /// The compact part of a full snapshot.
  public init(_ t: Telemetry) {
    self.init(
      mode: t.mode, commandedRate: t.commandedRate, measuredRate: t.measuredRate,
      deliveredTotal: t.deliveredTotal, lockoutRemaining: t.lockoutRemaining,
      reservoir: t.reservoir, upstreamPressure: t.upstreamPressure,
      downstreamPressure: t.downstreamPressure)
  }

  /// True when the mode fits the single-digit fields; otherwise the device sends a full TLM.
  public static func fits(_ mode: Mode) -> Bool { mode.code <= 9 && mode.subCode <= 9 }

  /// Writes the nine TLC fields, clamped to their wire ranges (the mode must `fit`).
  public func encodeFields(into w: inout FieldWriter) {
    func c(_ v: Int64, _ max: Int64) -> Int64 { Swift.min(Swift.max(v, 0), max) }
    w.int(Int64(Swift.min(mode.code, 9)))
    w.int(Int64(Swift.min(mode.subCode, 9)))
    w.int(c(commandedRate.rawValue, 9_999_999))
    w.int(c(measuredRate.rawValue, 9_999_999))
    w.int(c(deliveredTotal.rawValue, 99_999_999_999))
    w.int(c(lockoutRemaining.rawValue, 99_999_999))
    w.int(c(reservoir.rawValue, 9_999_999))
    w.int(c(upstreamPressure.rawValue, 999_999))
    w.int(c(downstreamPressure.rawValue, 999_999))
  }

  /// Reads the nine TLC fields (the caller checks that none are left over).
  public init(reading r: inout FieldCursor) throws(ProtocolError) {
    let code = try r.int("mode", 0...9)
    let sub = try r.int("sub", 0...9)
    guard let mode = Mode(code: UInt8(code), subCode: UInt8(sub)) else {
      throw .outOfRange(field: "mode")
    }
    self.init(
      mode: mode,
      commandedRate: MicrolitersPerHour(try r.int("commanded", 0...9_999_999)),
      measuredRate: MicrolitersPerHour(try r.int("measured", 0...9_999_999)),
      deliveredTotal: Micrograms(try r.int("total", 0...99_999_999_999)),
      lockoutRemaining: Milliseconds(try r.int("lockout", 0...99_999_999)),
      reservoir: Microliters(try r.int("reservoir", 0...9_999_999)),
      upstreamPressure: MilliPSI(try r.int("upstream", 0...999_999)),
      downstreamPressure: MilliPSI(try r.int("downstream", 0...999_999)))
  }

  /// A TLC body (what a MAC covers).
  public func body(deviceSeq: UInt32) -> FieldWriter {
    var w = FieldWriter(kind: "TLC", seq: deviceSeq)
    encodeFields(into: &w)
    return w
  }

  /// Parses a TLC frame: its device sequence number and fields.
  public static func parse(_ v: FrameView) throws(ProtocolError) -> (
    deviceSeq: UInt32, CompactTelemetry
  ) {
    guard v.kindIs("TLC") else { throw .unknownKind(String(decoding: v.kind, as: UTF8.self)) }
    var r = v.fields
    let c = try CompactTelemetry(reading: &r)
    try r.end()
    return (v.seq, c)
  }
}

extension Telemetry {
  /// This snapshot with the compact fields of `c` laid over it (a host's view between keyframes).
  public func updated(with c: CompactTelemetry) -> Telemetry {
    var t = self
    t.apply(c)
    return t
  }

  /// Lays the compact fields of `c` over this snapshot.
  public mutating func apply(_ c: CompactTelemetry) {
    mode = c.mode
    commandedRate = c.commandedRate
    measuredRate = c.measuredRate
    deliveredTotal = c.deliveredTotal
    lockoutRemaining = c.lockoutRemaining
    reservoir = c.reservoir
    upstreamPressure = c.upstreamPressure
    downstreamPressure = c.downstreamPressure
  }
}

/// Which telemetry frames a session sends (`TLMRATE` field 2).
public enum TelemetryFormat: String, Hashable, Sendable {
  /// `TLM`: full frames only (the default; what every 1.0 host gets).
  case full = "TLM"
  /// `TLC`: compact frames, with a full `TLM` keyframe first and then once a second.
  case compact = "TLC"

  /// Bytes per second the worst-case frames of `hertz` Hz need (docs/PROTOCOL.md §4.5.1).
  public func worstCaseBytesPerSecond(hertz: Int) -> Int {
    guard hertz > 0 else { return 0 }
    switch self {
    case .full: return hertz * Telemetry.maxFrameBytes
    case .compact: return Telemetry.maxFrameBytes + (hertz - 1) * CompactTelemetry.maxFrameBytes
    }
  }

  /// The highest rate (≤ 100 Hz) whose worst-case frames fit `lineBytesPerSecond`.
  public func maxHertz(lineBytesPerSecond line: Int) -> Int {
    var hz = 100
    while hz > 0 && worstCaseBytesPerSecond(hertz: hz) > line { hz -= 1 }
    return hz
  }
}
