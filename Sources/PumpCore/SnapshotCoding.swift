// Host builds, and Embedded builds that opt in with -D KETAPUMP_EMBEDDED_SNAPSHOT: the code is
// Embedded-safe (it builds with the flag), but costs about 14.6 kB of text, more than the
// 64 KiB budget of Tools/embedded-build leaves today (docs/FIRMWARE.md "Snapshots").
#if !hasFeature(Embedded) || KETAPUMP_EMBEDDED_SNAPSHOT
  /// The byte encoding of state snapshots and journal records: explicit field order, LEB128
  /// varints (signed values zigzag-encoded), no reflection, no Codable. Standard library only and
  /// Embedded-safe, so an MCU writes the same bytes to flash (docs/FIRMWARE.md "Snapshots").
  public struct SnapshotWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inline(never) public mutating func byte(_ v: UInt8) { bytes.append(v) }

    @inline(never) public mutating func unsigned(_ v: UInt64) {
      var x = v
      while x >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
        x >>= 7
      }
      bytes.append(UInt8(x))
    }

    @inline(never) public mutating func int(_ v: Int64) {
      unsigned(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    @inline(never) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    @inline(never) public mutating func ms(_ v: Milliseconds) { int(v.rawValue) }

    /// An optional value: a presence byte, then the value.
    @inline(never) public mutating func optionalInt(_ v: Int64?) {
      if let v {
        bytes.append(1)
        int(v)
      } else {
        bytes.append(0)
      }
    }

    @inline(never) public mutating func raw(_ b: [UInt8]) {
      unsigned(UInt64(b.count))
      bytes.append(contentsOf: b)
    }
  }

  /// Reads what `SnapshotWriter` wrote; every read is bounds-checked and throws instead of trapping.
  public struct SnapshotReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var position: Int

    public init(_ bytes: [UInt8], position: Int = 0) {
      self.bytes = bytes
      self.position = position
    }

    public var atEnd: Bool { position >= bytes.count }

    @inline(never) public mutating func byte() throws(SnapshotError) -> UInt8 {
      guard position < bytes.count else { throw .truncated }
      defer { position += 1 }
      return bytes[position]
    }

    @inline(never) public mutating func unsigned() throws(SnapshotError) -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        let b = try byte()
        if shift == 63 && b > 1 { throw .invalid }
        result |= UInt64(b & 0x7F) << shift
        if b & 0x80 == 0 { return result }
        shift += 7
        if shift > 63 { throw .invalid }
      }
    }

    @inline(never) public mutating func int() throws(SnapshotError) -> Int64 {
      let u = try unsigned()
      return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// An unsigned value no greater than `max`.
    @inline(never) public mutating func unsigned(max: UInt64) throws(SnapshotError) -> UInt64 {
      let v = try unsigned()
      guard v <= max else { throw .invalid }
      return v
    }

    /// A signed value that must lie in `range`.
    @inline(never) public mutating func int(_ range: ClosedRange<Int64>) throws(SnapshotError)
      -> Int64
    {
      let v = try int()
      guard range.contains(v) else { throw .invalid }
      return v
    }

    @inline(never) public mutating func bool() throws(SnapshotError) -> Bool {
      switch try byte() {
      case 0: return false
      case 1: return true
      default: throw .invalid
      }
    }

    @inline(never) public mutating func ms() throws(SnapshotError) -> Milliseconds {
      Milliseconds(try int())
    }

    @inline(never) public mutating func optionalInt() throws(SnapshotError) -> Int64? {
      try bool() ? try int() : nil
    }

    @inline(never) public mutating func raw(maxCount: Int) throws(SnapshotError) -> [UInt8] {
      let n = try unsigned()
      guard n <= UInt64(maxCount), n <= UInt64(bytes.count - position) else { throw .invalid }
      let start = position
      position += Int(n)
      return Array(bytes[start..<position])
    }

    public func end() throws(SnapshotError) {
      guard atEnd else { throw .invalid }
    }
  }

  /// Why bytes could not be decoded. The decoder never traps on any input.
  public enum SnapshotError: Error, Hashable, Sendable {
    /// The bytes end in the middle of a field.
    case truncated
    /// A field holds a value the type cannot have, or bytes are left over.
    case invalid
    /// Written by another snapshot schema (the value found).
    case schema(UInt8)
    /// Written by a controller with other safety rules (`PumpController.ruleVersion` found).
    case ruleVersion(UInt32)
  }

  extension Mode {
    func encode(into w: inout SnapshotWriter) {
      w.byte(code)
      switch self {
      case .infusing(let p): w.byte(p.rawValue)
      case .paused(let r): w.byte(r.rawValue)
      case .fault(let f): w.byte(f.rawValue)
      default: break
      }
    }

    static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> Mode {
      switch try r.byte() {
      case 0: return .selfTest
      case 1: return .idle
      case 2: return .programmed
      case 3:
        guard let p = InfusionPhase(rawValue: try r.byte()) else { throw .invalid }
        return .infusing(p)
      case 4:
        guard let p = PauseReason(rawValue: try r.byte()) else { throw .invalid }
        return .paused(p)
      case 5: return .kvo
      case 6: return .complete
      case 7: return .interlockStopped
      case 8:
        guard let f = FaultCode(rawValue: try r.byte()) else { throw .invalid }
        return .fault(f)
      default: throw .invalid
      }
    }
  }

  extension Prescription {
    /// The prescription's fields in declaration order.
    public func encode(into w: inout SnapshotWriter) {
      w.unsigned(UInt64(drugEntry.rawValue))
      w.byte(careArea.rawValue)
      w.int(concentration.rawValue)
      w.int(patientWeight.rawValue)
      w.int(basalRate.rawValue)
      w.int(loadingDose.rawValue)
      w.int(bolusDose.rawValue)
      w.int(bolusRate.rawValue)
      w.ms(lockout)
      w.int(maxBolusesPerHour)
      w.int(limit1h.rawValue)
      w.int(limit4h.rawValue)
      w.int(vtbi.rawValue)
      w.int(kvoRate.rawValue)
      w.ms(rateIncreaseInterval)
    }

    public static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> Prescription {
      let entry = try r.unsigned()
      guard entry <= UInt64(UInt16.max), let area = CareArea(rawValue: try r.byte()) else {
        throw .invalid
      }
      return Prescription(
        drugEntry: DrugEntryID(UInt16(entry)), careArea: area,
        concentration: MicrogramsPerMilliliter(try r.int()), patientWeight: Grams(try r.int()),
        basalRate: MicrogramsPerHour(try r.int()), loadingDose: Micrograms(try r.int()),
        bolusDose: Micrograms(try r.int()), bolusRate: MicrolitersPerHour(try r.int()),
        lockout: try r.ms(), maxBolusesPerHour: try r.int(), limit1h: Micrograms(try r.int()),
        limit4h: Micrograms(try r.int()), vtbi: Microliters(try r.int()),
        kvoRate: MicrolitersPerHour(try r.int()), rateIncreaseInterval: try r.ms())
    }
  }

  extension VitalsSample {
    public func encode(into w: inout SnapshotWriter) {
      for v in Vital.allCases { w.optionalInt(self[v].map { Int64($0) }) }
    }

    public static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> VitalsSample {
      var values: [Int32?] = []
      for _ in Vital.allCases {
        values.append(try r.optionalInt().map { Int32(truncatingIfNeeded: $0) })
      }
      return VitalsSample(
        sbp: values[0], dbp: values[1], hr: values[2], spo2: values[3], rr: values[4])
    }
  }

  extension VitalsPolicy {
    func encode(into w: inout SnapshotWriter) {
      for v in Vital.allCases {
        let b = self[v]
        w.optionalInt(b.warningLow.map { Int64($0) })
        w.optionalInt(b.criticalLow.map { Int64($0) })
        w.optionalInt(b.warningHigh.map { Int64($0) })
        w.optionalInt(b.criticalHigh.map { Int64($0) })
      }
      w.byte(required)
      w.int(Int64(persistSamples))
      w.ms(persistTime)
      w.ms(staleAfter)
      w.int(Int64(interlockWarnings))
    }

    static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> VitalsPolicy {
      var bands: [VitalBand] = []
      for _ in Vital.allCases {
        let i32: (Int64?) -> Int32? = { $0.map { Int32(truncatingIfNeeded: $0) } }
        bands.append(
          VitalBand(
            warningLow: i32(try r.optionalInt()), criticalLow: i32(try r.optionalInt()),
            warningHigh: i32(try r.optionalInt()), criticalHigh: i32(try r.optionalInt())))
      }
      return VitalsPolicy(
        sbp: bands[0], dbp: bands[1], hr: bands[2], spo2: bands[3], rr: bands[4],
        required: try r.byte(), persistSamples: Int32(try r.int(0...Int64(Int32.max))),
        persistTime: try r.ms(), staleAfter: try r.ms(),
        interlockWarnings: Int32(try r.int(0...Int64(Int32.max))))
    }
  }
#endif
