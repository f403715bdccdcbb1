import PumpCore
import PumpHardware
import PumpProtocol

/// One journal record, format 2 (docs/FIRMWARE.md "Journal"). Typed domain records in the
/// snapshot byte encoding (`SnapshotWriter`), never wire text:
///
///     record = length (u32 LE, body bytes) · body · CRC-32 (u32 LE, IEEE, of the body)
///     body   = kind (u8) · record number (varint) · fields
///
/// Record numbers count up by one from the header (0); compaction keeps them, so a gap is
/// always damage.
public enum JournalRecord: Hashable, Sendable {
  /// `H`: what this journal belongs to and which code wrote it. Always the first record.
  case header(JournalHeader)
  /// `B`: power-on at pump time `t`; after the first, with the instant power was lost.
  case boot(at: Milliseconds, lostAt: Milliseconds?, wallMillis: Int64)
  /// `I`: an input applied at `t` (written before it is applied).
  case input(at: Milliseconds, FirmwareInput)
  /// `R`: what the input before it gave (accepted, rejected, bolus denied): a restart checks
  /// that applying the input again gives the same, so it never rebuilds a different past.
  case result(at: Milliseconds, JournalResult)
  /// `S`: the whole machine at pump time `t` (`PumpMachine.snapshotBytes()`).
  case snapshot(at: Milliseconds, [UInt8])

  static let headerKind: UInt8 = 0x48
  /// Upper bound of one record's body (a snapshot with full logs is ~40 kB).
  static let maxBody = 1 << 24

  /// The record's bytes with record number `seq`.
  public func frame(seq: UInt64) -> [UInt8] {
    var w = SnapshotWriter(capacity: 64)
    switch self {
    case .header(let h):
      w.byte(Self.headerKind)
      w.unsigned(seq)
      h.encode(into: &w)
    case .boot(let t, let lost, let wall):
      w.byte(0x42)
      w.unsigned(seq)
      w.ms(t)
      w.optionalInt(lost?.rawValue)
      w.int(wall)
    case .input(let t, let input):
      w.byte(0x49)
      w.unsigned(seq)
      w.ms(t)
      input.encode(into: &w)
    case .result(let t, let result):
      w.byte(0x52)
      w.unsigned(seq)
      w.ms(t)
      result.encode(into: &w)
    case .snapshot(let t, let bytes):
      w.byte(0x53)
      w.unsigned(seq)
      w.ms(t)
      w.raw(bytes)
    }
    let body = w.bytes
    var out: [UInt8] = []
    out.reserveCapacity(body.count + 8)
    appendLE32(UInt32(body.count), to: &out)
    out += body
    appendLE32(CRC32.checksum(body), to: &out)
    return out
  }

  /// Decodes one body (CRC already checked).
  static func decode(_ body: ArraySlice<UInt8>) throws(SnapshotError) -> (
    seq: UInt64, record: JournalRecord
  ) {
    var r = SnapshotReader(Array(body))
    let kind = try r.byte()
    let seq = try r.unsigned()
    let record: JournalRecord
    switch kind {
    case Self.headerKind: record = .header(try JournalHeader.decode(from: &r))
    case 0x42:
      let t = try r.ms()
      let lost = try r.optionalInt().map { Milliseconds($0) }
      record = .boot(at: t, lostAt: lost, wallMillis: try r.int())
    case 0x49:
      let t = try r.ms()
      record = .input(at: t, try FirmwareInput.decode(from: &r))
    case 0x52:
      let t = try r.ms()
      record = .result(at: t, try JournalResult.decode(from: &r))
    case 0x53:
      let t = try r.ms()
      record = .snapshot(at: t, try r.raw(maxCount: maxBody))
    default: throw .invalid
    }
    try r.end()
    return (seq, record)
  }
}

/// What an input gave, as journaled (`CommandResult` without the query answers).
public enum JournalResult: Hashable, Sendable {
  case accepted
  case rejected(Rejection)
  case bolusDenied(BolusDenial, lockoutRemaining: Milliseconds)
  /// Any other answer (never produced by an input).
  case other

  public init(_ r: CommandResult) {
    switch r {
    case .accepted: self = .accepted
    case .rejected(let why): self = .rejected(why)
    case .bolusDenied(let d, let remaining): self = .bolusDenied(d, lockoutRemaining: remaining)
    default: self = .other
    }
  }

  func encode(into w: inout SnapshotWriter) {
    switch self {
    case .accepted: w.byte(0)
    case .rejected(let why):
      w.byte(1)
      w.byte(why.rawValue)
    case .bolusDenied(let d, let remaining):
      w.byte(2)
      w.byte(d.rawValue)
      w.ms(remaining)
    case .other: w.byte(3)
    }
  }

  static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> JournalResult {
    switch try r.byte() {
    case 0: return .accepted
    case 1:
      guard let why = Rejection(rawValue: try r.byte()) else { throw .invalid }
      return .rejected(why)
    case 2:
      guard let d = BolusDenial(rawValue: try r.byte()) else { throw .invalid }
      return .bolusDenied(d, lockoutRemaining: try r.ms())
    case 3: return .other
    default: throw .invalid
    }
  }
}

/// What a journal belongs to, and the versions of the code that wrote it. A journal whose
/// identity differs is foreign; one whose schema or rule version differs is of another version
/// (`fault(journalVersion)`, no migration): the pump never re-interprets either.
public struct JournalHeader: Hashable, Sendable {
  /// The record layout this firmware writes and reads. Format 1 was the CR LF text journal.
  public static let schema: UInt8 = 2
  public var schema: UInt8 = JournalHeader.schema
  /// `PumpController.ruleVersion` of the writer.
  public var ruleVersion: UInt32 = PumpController.ruleVersion
  /// Snapshot layouts of the writer (controller, rig).
  public var controllerSnapshotSchema: UInt8 = PumpController.snapshotSchema
  public var rigSnapshotSchema: UInt8 = PumpRig.snapshotSchema
  /// The writer's firmware version (diagnostic: the rule version is the contract).
  public var firmwareVersion: String
  public var deviceId: String
  /// First 16 hex digits of SHA-256 over the device secret's role key fingerprint (never the key).
  public var keyFingerprint: String
  public var profileId: String
  /// First 16 hex digits of SHA-256 of the pump model file.
  public var profileDigest: String
  /// First 16 hex digits of the drug library's SHA-256.
  public var drugLibraryDigest: String

  public init(
    firmwareVersion: String, deviceId: String, keyFingerprint: String, profileId: String,
    profileDigest: String, drugLibraryDigest: String
  ) {
    self.firmwareVersion = firmwareVersion
    self.deviceId = deviceId
    self.keyFingerprint = keyFingerprint
    self.profileId = profileId
    self.profileDigest = profileDigest
    self.drugLibraryDigest = drugLibraryDigest
  }

  /// Why a journal with header `other` was written by another version, if it was.
  public func versionMismatch(_ other: JournalHeader) -> String? {
    if other.schema != schema {
      return "journal schema \(other.schema), this firmware reads \(schema)"
    }
    if other.ruleVersion != ruleVersion {
      return
        "written under safety rules v\(other.ruleVersion) (firmware \(other.firmwareVersion)), this firmware has v\(ruleVersion)"
    }
    if other.controllerSnapshotSchema != controllerSnapshotSchema
      || other.rigSnapshotSchema != rigSnapshotSchema
    {
      return
        "snapshot layout \(other.controllerSnapshotSchema)/\(other.rigSnapshotSchema), expected \(controllerSnapshotSchema)/\(rigSnapshotSchema)"
    }
    return nil
  }

  /// The first identity field that differs from `other`, as "name: ours vs theirs".
  public func mismatch(_ other: JournalHeader) -> String? {
    if deviceId != other.deviceId { return "device id \(other.deviceId), expected \(deviceId)" }
    if keyFingerprint != other.keyFingerprint { return "written under a different device key" }
    if profileId != other.profileId { return "profile \(other.profileId), expected \(profileId)" }
    if profileDigest != other.profileDigest { return "profile \(profileId) file changed" }
    if drugLibraryDigest != other.drugLibraryDigest { return "drug library changed" }
    return nil
  }

  func encode(into w: inout SnapshotWriter) {
    w.byte(schema)
    w.unsigned(UInt64(ruleVersion))
    w.byte(controllerSnapshotSchema)
    w.byte(rigSnapshotSchema)
    for s in [
      firmwareVersion, deviceId, keyFingerprint, profileId, profileDigest, drugLibraryDigest,
    ] {
      w.raw(Array(s.utf8))
    }
  }

  static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> JournalHeader {
    let schema = try r.byte()
    // Another schema: only the versions are read (the rest may mean something else).
    guard schema == JournalHeader.schema else {
      var h = JournalHeader(
        firmwareVersion: "?", deviceId: "", keyFingerprint: "", profileId: "", profileDigest: "",
        drugLibraryDigest: "")
      h.schema = schema
      return h
    }
    let rules = UInt32(try r.unsigned(max: UInt64(UInt32.max)))
    let cs = try r.byte()
    let rs = try r.byte()
    var strings: [String] = []
    for _ in 0..<6 { strings.append(String(decoding: try r.raw(maxCount: 256), as: UTF8.self)) }
    var h = JournalHeader(
      firmwareVersion: strings[0], deviceId: strings[1], keyFingerprint: strings[2],
      profileId: strings[3], profileDigest: strings[4], drugLibraryDigest: strings[5])
    h.ruleVersion = rules
    h.controllerSnapshotSchema = cs
    h.rigSnapshotSchema = rs
    return h
  }
}

/// Why a journal cannot be used. Each leaves the journal file untouched.
public enum JournalError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A record before the last one is damaged, out of order or unknown, or the restore gave
  /// another result than the journal holds.
  case corrupt(record: Int, String)
  /// The journal belongs to another pump, key, profile or drug library.
  case foreign(String)
  /// The journal was written by another schema or rule version (`fault(journalVersion)`).
  case version(String)
  /// An I/O error (errno) on the journal or clock file.
  case io(path: String, errno: Int32, String)

  public var description: String {
    switch self {
    case .corrupt(let n, let why): "journal corrupt at record \(n): \(why)"
    case .foreign(let why): "journal belongs to another pump: \(why)"
    case .version(let why): "journal of another version: \(why); no migration"
    case .io(let path, let errno, let what): "\(path): \(what) (errno \(errno))"
    }
  }
}

// MARK: Inputs as domain records

extension FirmwareInput {
  func encode(into w: inout SnapshotWriter) {
    switch self {
    case .event(let e):
      w.byte(1)
      e.encode(into: &w)
    case .injection(let i):
      w.byte(2)
      i.encode(into: &w)
    case .hostLink(let c):
      w.byte(3)
      w.bool(c)
    case .linkSecurity(let a):
      w.byte(4)
      w.bool(a)
    case .fault(let f):
      w.byte(5)
      w.byte(f.rawValue)
    case .selfTest(let p):
      w.byte(6)
      w.bool(p)
    }
  }

  static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> FirmwareInput {
    switch try r.byte() {
    case 1: return .event(try PumpEvent.decode(from: &r))
    case 2: return .injection(try Injection.decode(from: &r))
    case 3: return .hostLink(connected: try r.bool())
    case 4: return .linkSecurity(alert: try r.bool())
    case 5: return .fault(try decodeFault(&r))
    case 6: return .selfTest(passed: try r.bool())
    default: throw .invalid
    }
  }
}

private func decodeFault(_ r: inout SnapshotReader) throws(SnapshotError) -> FaultCode {
  guard let f = FaultCode(rawValue: try r.byte()) else { throw .invalid }
  return f
}

extension PumpEvent {
  func encode(into w: inout SnapshotWriter) {
    switch self {
    case .program(let p):
      w.byte(1)
      p.encode(into: &w)
    case .confirmSoftLimits: w.byte(2)
    case .start: w.byte(3)
    case .pause: w.byte(4)
    case .resume: w.byte(5)
    case .stop: w.byte(6)
    case .changeBasalRate(let r):
      w.byte(7)
      w.int(r.rawValue)
    case .patientBolusRequest: w.byte(8)
    case .clinicianBolus(let d):
      w.byte(9)
      w.int(d.rawValue)
    case .vitals(let v):
      w.byte(10)
      v.encode(into: &w)
    case .sensor(let s):
      w.byte(11)
      s.encode(into: &w)
    case .acknowledgeAlarms: w.byte(12)
    case .audioPause: w.byte(13)
    case .selfTestResult(let p):
      w.byte(14)
      w.bool(p)
    case .clinicianReset: w.byte(15)
    case .hostLink(let c):
      w.byte(16)
      w.bool(c)
    case .linkSecurity(let a):
      w.byte(17)
      w.bool(a)
    case .fault(let f):
      w.byte(18)
      w.byte(f.rawValue)
    }
  }

  static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> PumpEvent {
    switch try r.byte() {
    case 1: return .program(try Prescription.decode(from: &r))
    case 2: return .confirmSoftLimits
    case 3: return .start
    case 4: return .pause
    case 5: return .resume
    case 6: return .stop
    case 7: return .changeBasalRate(MicrogramsPerHour(try r.int()))
    case 8: return .patientBolusRequest
    case 9: return .clinicianBolus(Micrograms(try r.int()))
    case 10: return .vitals(try VitalsSample.decode(from: &r))
    case 11: return .sensor(try SensorReading.decode(from: &r))
    case 12: return .acknowledgeAlarms
    case 13: return .audioPause
    case 14: return .selfTestResult(passed: try r.bool())
    case 15: return .clinicianReset
    case 16: return .hostLink(connected: try r.bool())
    case 17: return .linkSecurity(alert: try r.bool())
    case 18: return .fault(try decodeFault(&r))
    default: throw .invalid
    }
  }
}

extension SensorReading {
  func encode(into w: inout SnapshotWriter) {
    switch self {
    case .upstreamPressure(let p):
      w.byte(1)
      w.int(p.rawValue)
    case .downstreamPressure(let p):
      w.byte(2)
      w.int(p.rawValue)
    case .airInLine(let v):
      w.byte(3)
      w.int(v.rawValue)
    case .door(let open):
      w.byte(4)
      w.bool(open)
    case .reservoir(let v):
      w.byte(5)
      w.int(v.rawValue)
    case .battery(let remaining, let mains):
      w.byte(6)
      w.ms(remaining)
      w.bool(mains)
    case .motorSteps(let n):
      w.byte(7)
      w.int(n)
    case .sensorFailure: w.byte(8)
    }
  }

  static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> SensorReading {
    switch try r.byte() {
    case 1: return .upstreamPressure(MilliPSI(try r.int()))
    case 2: return .downstreamPressure(MilliPSI(try r.int()))
    case 3: return .airInLine(Microliters(try r.int()))
    case 4: return .door(open: try r.bool())
    case 5: return .reservoir(Microliters(try r.int()))
    case 6: return .battery(remaining: try r.ms(), onMains: try r.bool())
    case 7: return .motorSteps(try r.int())
    case 8: return .sensorFailure
    default: throw .invalid
    }
  }
}

extension Injection {
  func encode(into w: inout SnapshotWriter) {
    switch self {
    case .upstreamPressure(let p):
      w.byte(1)
      w.int(p.rawValue)
    case .downstreamPressure(let p):
      w.byte(2)
      w.int(p.rawValue)
    case .door(let open):
      w.byte(3)
      w.bool(open)
    case .airBubble(let v):
      w.byte(4)
      w.int(v.rawValue)
    case .mains(let present):
      w.byte(5)
      w.bool(present)
    case .batteryRemaining(let ms):
      w.byte(6)
      w.ms(ms)
    case .motorStall(let b):
      w.byte(7)
      w.bool(b)
    case .motorRunaway(let b):
      w.byte(8)
      w.bool(b)
    case .sensorFailure(let b):
      w.byte(9)
      w.bool(b)
    case .reservoir(let v):
      w.byte(10)
      w.int(v.rawValue)
    case .upstreamOcclusion(let b):
      w.byte(11)
      w.bool(b)
    case .downstreamOcclusion(let b):
      w.byte(12)
      w.bool(b)
    case .power(let change):
      w.byte(13)
      w.byte(change.rawValue)
    case .hostLink(let c):
      w.byte(14)
      w.bool(c)
    case .fault(let f):
      w.byte(15)
      w.byte(f.rawValue)
    }
  }

  static func decode(from r: inout SnapshotReader) throws(SnapshotError) -> Injection {
    switch try r.byte() {
    case 1: return .upstreamPressure(MilliPSI(try r.int()))
    case 2: return .downstreamPressure(MilliPSI(try r.int()))
    case 3: return .door(open: try r.bool())
    case 4: return .airBubble(Microliters(try r.int()))
    case 5: return .mains(present: try r.bool())
    case 6: return .batteryRemaining(try r.ms())
    case 7: return .motorStall(try r.bool())
    case 8: return .motorRunaway(try r.bool())
    case 9: return .sensorFailure(try r.bool())
    case 10: return .reservoir(Microliters(try r.int()))
    case 11: return .upstreamOcclusion(try r.bool())
    case 12: return .downstreamOcclusion(try r.bool())
    case 13:
      guard let c = PowerChange(rawValue: try r.byte()) else { throw .invalid }
      return .power(c)
    case 14: return .hostLink(connected: try r.bool())
    case 15: return .fault(try decodeFault(&r))
    default: throw .invalid
    }
  }
}

// MARK: Framing helpers

func appendLE32(_ v: UInt32, to out: inout [UInt8]) {
  out.append(UInt8(truncatingIfNeeded: v))
  out.append(UInt8(truncatingIfNeeded: v >> 8))
  out.append(UInt8(truncatingIfNeeded: v >> 16))
  out.append(UInt8(truncatingIfNeeded: v >> 24))
}

func readLE32(_ b: [UInt8], at i: Int) -> UInt32 {
  UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}

/// CRC-32 (IEEE 802.3, reflected, as zlib), table-driven.
enum CRC32 {
  static let table: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    table.withUnsafeBufferPointer { t in
      for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    }
    return c ^ 0xFFFF_FFFF
  }
}
