import PumpCore

/// The PATIENT reply (docs/PROTOCOL.md §4.2.2), simulator only: the simulated patient's true
/// state, which no real pump knows. Fixed point: every physiological value is an integer count
/// of tenths of its unit (`plasma` 1234 = 123.4 ng/mL), rounded half away from zero by
/// `tenths(_:)` on the device and clamped to its range.
///
/// `ACK,seq,PATIENT,<time ms>,<Cp>,<Ce>,<pain>,<dissociation>,<HR>,<SBP>,<DBP>,<SpO2>,<RR>,<presses>,<profile id>,<seed>`
public struct PatientReadout: Hashable, Sendable {
  /// Patient time (the pump's clock), ms 0…999999999999999.
  public var time: Milliseconds
  /// Plasma and effect-site concentration, tenths of ng/mL, 0…99999999.
  public var plasmaTenths: Int64
  public var effectSiteTenths: Int64
  /// Pain, tenths of an NRS point, 0…100.
  public var painTenths: Int64
  /// Dissociation score, tenths, 0…1000.
  public var dissociationTenths: Int64
  /// True heart rate (/min), systolic and diastolic pressure (mmHg), tenths, 0…9999.
  public var hrTenths: Int64
  public var sbpTenths: Int64
  public var dbpTenths: Int64
  /// True SpO2, tenths of a %, 0…1000.
  public var spo2Tenths: Int64
  /// True respiratory rate, tenths of /min, 0…9999.
  public var rrTenths: Int64
  /// The patient's button presses since it started (granted or not), 0…999999999.
  public var presses: Int64
  /// The patient file's id (its file stem), 1…32 field characters.
  public var profileID: String
  /// The seed of its noise, monitor and presses (`pumpsim run --patient-seed`), 0…2^64−1.
  public var seed: UInt64

  public init(
    time: Milliseconds, plasmaTenths: Int64, effectSiteTenths: Int64, painTenths: Int64,
    dissociationTenths: Int64, hrTenths: Int64, sbpTenths: Int64, dbpTenths: Int64,
    spo2Tenths: Int64, rrTenths: Int64, presses: Int64, profileID: String, seed: UInt64
  ) {
    self.time = time
    self.plasmaTenths = plasmaTenths
    self.effectSiteTenths = effectSiteTenths
    self.painTenths = painTenths
    self.dissociationTenths = dissociationTenths
    self.hrTenths = hrTenths
    self.sbpTenths = sbpTenths
    self.dbpTenths = dbpTenths
    self.spo2Tenths = spo2Tenths
    self.rrTenths = rrTenths
    self.presses = presses
    self.profileID = profileID
    self.seed = seed
  }

  /// The wire's resolution: `x` in tenths of its unit, rounded half away from zero (`12.25` →
  /// 123); NaN → 0; clamped to ±999999999999. The one rounding of PATIENT values, used by the
  /// device and by whoever compares a model value with one read over the wire (two values agree
  /// at wire resolution when their `tenths` are equal).
  public static func tenths(_ x: Double) -> Int64 {
    guard !x.isNaN else { return 0 }
    let v = (x * 10).rounded(.toNearestOrAwayFromZero)
    return Int64(min(max(v, -999_999_999_999), 999_999_999_999))
  }

  /// The value of a tenths count in its unit (`1234` → 123.4).
  public static func value(tenths: Int64) -> Double { Double(tenths) / 10 }

  static let ranges = (
    time: Int64(0)...999_999_999_999_999, concentration: Int64(0)...99_999_999,
    pain: Int64(0)...100, dissociation: Int64(0)...1000, vital: Int64(0)...9999,
    spo2: Int64(0)...1000, presses: Int64(0)...999_999_999
  )
  static let profileMaxLength = 32

  /// Writes the 13 fields, each clamped to its range (the profile id sanitised and cut to 32).
  func encodeFields(into w: inout FieldWriter) {
    func c(_ v: Int64, _ r: ClosedRange<Int64>) -> Int64 { min(max(v, r.lowerBound), r.upperBound) }
    let r = Self.ranges
    w.int(c(time.rawValue, r.time))
    w.int(c(plasmaTenths, r.concentration))
    w.int(c(effectSiteTenths, r.concentration))
    w.int(c(painTenths, r.pain))
    w.int(c(dissociationTenths, r.dissociation))
    w.int(c(hrTenths, r.vital))
    w.int(c(sbpTenths, r.vital))
    w.int(c(dbpTenths, r.vital))
    w.int(c(spo2Tenths, r.spo2))
    w.int(c(rrTenths, r.vital))
    w.int(c(presses, r.presses))
    w.text(profileID.isEmpty ? "?" : profileID, maxLength: Self.profileMaxLength)
    w.unsigned(seed)
  }

  /// Reads the 13 fields from the general path (`FieldReader`), with the rules of `read(_:)`.
  init(reading r: inout FieldReader) throws(ProtocolError) {
    var ints: [Int64] = []
    let rg = Self.ranges
    let specs: [(String, ClosedRange<Int64>)] = [
      ("time", rg.time), ("cp", rg.concentration), ("ce", rg.concentration), ("pain", rg.pain),
      ("dissociation", rg.dissociation), ("hr", rg.vital), ("sbp", rg.vital), ("dbp", rg.vital),
      ("spo2", rg.spo2), ("rr", rg.vital), ("presses", rg.presses),
    ]
    for (name, range) in specs { ints.append(try r.int(name, range)) }
    let profile = try r.next("profile")
    let bytes = Array(profile.utf8)
    try Self.checkProfile(bytes[...])
    let seed = try Self.parseSeed(Array(try r.next("seed").utf8)[...])
    self.init(
      time: Milliseconds(ints[0]), plasmaTenths: ints[1], effectSiteTenths: ints[2],
      painTenths: ints[3], dissociationTenths: ints[4], hrTenths: ints[5], sbpTenths: ints[6],
      dbpTenths: ints[7], spo2Tenths: ints[8], rrTenths: ints[9], presses: ints[10],
      profileID: String(profile), seed: seed)
  }

  /// Reads the 13 fields straight from the frame's bytes into `self` (no field strings; the
  /// profile id is rebuilt only when it changed, so a host polling one patient allocates
  /// nothing). Same rules and errors as `init(reading:)`; after a throw `self` is partly
  /// overwritten and must not be used.
  public mutating func read(_ r: inout FieldCursor) throws(ProtocolError) {
    let rg = Self.ranges
    time = Milliseconds(try r.int("time", rg.time))
    plasmaTenths = try r.int("cp", rg.concentration)
    effectSiteTenths = try r.int("ce", rg.concentration)
    painTenths = try r.int("pain", rg.pain)
    dissociationTenths = try r.int("dissociation", rg.dissociation)
    hrTenths = try r.int("hr", rg.vital)
    sbpTenths = try r.int("sbp", rg.vital)
    dbpTenths = try r.int("dbp", rg.vital)
    spo2Tenths = try r.int("spo2", rg.spo2)
    rrTenths = try r.int("rr", rg.vital)
    presses = try r.int("presses", rg.presses)
    let profile = try r.next("profile")
    try Self.checkProfile(profile)
    if !profileID.utf8.elementsEqual(profile) {
      profileID = String(decoding: profile, as: UTF8.self)
    }
    seed = try Self.parseSeed(try r.next("seed"))
  }

  /// 1…32 field bytes (the frame grammar already excludes delimiters).
  static func checkProfile(_ f: ArraySlice<UInt8>) throws(ProtocolError) {
    guard !f.isEmpty else { throw .malformed(field: "profile") }
    guard f.count <= profileMaxLength else { throw .outOfRange(field: "profile") }
  }

  /// `1*DIGIT` (leading zeros allowed) or `.malformed`; above 2^64−1 (or more than 20
  /// significant digits) `.outOfRange`.
  static func parseSeed(_ f: ArraySlice<UInt8>) throws(ProtocolError) -> UInt64 {
    guard !f.isEmpty else { throw .malformed(field: "seed") }
    var v: UInt64 = 0
    var overflow = false
    for c in f {
      guard c >= 0x30, c <= 0x39 else { throw .malformed(field: "seed") }
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (s, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
      if o1 || o2 { overflow = true }
      v = s
    }
    guard !overflow else { throw .outOfRange(field: "seed") }
    return v
  }
}

extension FieldWriter {
  /// An unsigned decimal integer field (the full UInt64 range), most significant digit first.
  mutating func unsigned(_ value: UInt64) {
    beginField()
    var d: UInt64 = 1
    while value / d >= 10 { d *= 10 }
    while d > 0 {
      byte(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: (value / d) % 10))
      d /= 10
    }
  }
}
