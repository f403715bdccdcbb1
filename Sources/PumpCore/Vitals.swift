/// The vitals the interlock watches. Wire value: the raw value (bit index in masks).
public enum Vital: UInt8, Hashable, Sendable, CaseIterable {
  /// Systolic blood pressure, mmHg.
  case sbp = 0
  /// Diastolic blood pressure, mmHg.
  case dbp = 1
  /// Heart rate, beats/min.
  case hr = 2
  /// Oxygen saturation, %.
  case spo2 = 3
  /// Respiratory rate, breaths/min.
  case rr = 4

  @inlinable public var bit: UInt8 { 1 << rawValue }
}

/// Warning and critical thresholds for one vital. A bound of nil is not checked. High bounds
/// trigger at value ≥ bound, low bounds at value ≤ bound.
public struct VitalBand: Sendable {
  public var warningLow: Int32?
  public var criticalLow: Int32?
  public var warningHigh: Int32?
  public var criticalHigh: Int32?

  public init(
    warningLow: Int32? = nil, criticalLow: Int32? = nil, warningHigh: Int32? = nil,
    criticalHigh: Int32? = nil
  ) {
    self.warningLow = warningLow
    self.criticalLow = criticalLow
    self.warningHigh = warningHigh
    self.criticalHigh = criticalHigh
  }

  /// The band level of one reading.
  @inlinable public func level(of value: Int32) -> VitalLevel {
    if let c = criticalHigh, value >= c { return .criticalHigh }
    if let c = criticalLow, value <= c { return .criticalLow }
    if let w = warningHigh, value >= w { return .warningHigh }
    if let w = warningLow, value <= w { return .warningLow }
    return .normal
  }

  /// The normal range as exclusive bounds: `level(of: v) == .normal` exactly when
  /// `above < v && v < below`: `v` is under both high bounds and over both low bounds, the four
  /// tests of `level(of:)`, whatever their order (a missing bound does not limit).
  var normalBounds: (above: Int64, below: Int64) {
    let low = max(criticalLow.map { Int64($0) } ?? .min, warningLow.map { Int64($0) } ?? .min)
    let high = min(criticalHigh.map { Int64($0) } ?? .max, warningHigh.map { Int64($0) } ?? .max)
    return (low, high)
  }

  /// Bounds ordered: criticalLow < warningLow < warningHigh < criticalHigh where present.
  public var isWellFormed: Bool {
    if let cl = criticalLow, let wl = warningLow, cl >= wl { return false }
    if let wh = warningHigh, let ch = criticalHigh, wh >= ch { return false }
    if let wl = warningLow, let wh = warningHigh, wl >= wh { return false }
    if let cl = criticalLow, let ch = criticalHigh, cl >= ch { return false }
    return true
  }
}

/// Where a reading falls. Wire value: the raw value.
public enum VitalLevel: UInt8, Hashable, Sendable {
  case normal = 0
  case warningLow = 1
  case warningHigh = 2
  case criticalLow = 3
  case criticalHigh = 4

  @inlinable public var isCritical: Bool { self == .criticalLow || self == .criticalHigh }
  @inlinable public var isAbnormal: Bool { self != .normal }
}

/// One sample from the patient monitor; any subset of vitals may be present.
public struct VitalsSample: Sendable {
  public var sbp: Int32?
  public var dbp: Int32?
  public var hr: Int32?
  public var spo2: Int32?
  public var rr: Int32?

  public init(
    sbp: Int32? = nil, dbp: Int32? = nil, hr: Int32? = nil, spo2: Int32? = nil,
    rr: Int32? = nil
  ) {
    self.sbp = sbp
    self.dbp = dbp
    self.hr = hr
    self.spo2 = spo2
    self.rr = rr
  }

  @inlinable public subscript(vital: Vital) -> Int32? {
    switch vital {
    case .sbp: sbp
    case .dbp: dbp
    case .hr: hr
    case .spo2: spo2
    case .rr: rr
    }
  }

  /// Mean arterial pressure, (SBP + 2·DBP) / 3 rounded to nearest, when both are present.
  public var map: Int32? {
    guard let s = sbp, let d = dbp else { return nil }
    return (s + 2 * d + 1) / 3
  }
}

/// Per-care-area interlock configuration (OpenICE pattern, BP and HR first for ketamine).
public struct VitalsPolicy: Sendable {
  public var sbp: VitalBand
  public var dbp: VitalBand
  public var hr: VitalBand
  public var spo2: VitalBand
  public var rr: VitalBand
  /// Bit set of `Vital.bit` that must be fed; a required vital with no sample for `staleAfter`
  /// counts as a warning. SBP, DBP and HR are always required.
  public var required: UInt8
  /// A band counts only when it holds for this many consecutive samples...
  public var persistSamples: Int32
  /// ...or for at least this long (first to last abnormal sample).
  public var persistTime: Milliseconds
  public var staleAfter: Milliseconds
  /// Concurrent warnings that stop the pump (OpenICE default 2).
  public var interlockWarnings: Int32

  public init(
    sbp: VitalBand, dbp: VitalBand, hr: VitalBand, spo2: VitalBand, rr: VitalBand,
    required: UInt8, persistSamples: Int32, persistTime: Milliseconds, staleAfter: Milliseconds,
    interlockWarnings: Int32
  ) {
    self.sbp = sbp
    self.dbp = dbp
    self.hr = hr
    self.spo2 = spo2
    self.rr = rr
    self.required = required | Vital.sbp.bit | Vital.dbp.bit | Vital.hr.bit
    self.persistSamples = persistSamples
    self.persistTime = persistTime
    self.staleAfter = staleAfter
    self.interlockWarnings = interlockWarnings
  }

  public subscript(vital: Vital) -> VitalBand {
    switch vital {
    case .sbp: sbp
    case .dbp: dbp
    case .hr: hr
    case .spo2: spo2
    case .rr: rr
    }
  }

  public func isRequired(_ vital: Vital) -> Bool { required & vital.bit != 0 }

  /// The defaults of issue #2 (our defaults; guidelines give no numeric BP/HR thresholds:
  /// REFERENCE.md "Ketamine dosing"). SBP 160/180 high, 90/80 low; DBP 100/110 high; HR 120/140
  /// high, 50/40 low; SpO2 92/88; RR 10/8. 2 samples or 10 s persistence, stale after 5 s
  /// (OpenICE data-age limit 5000 ms), 2 warnings stop (OpenICE).
  public static let ketamineDefault = VitalsPolicy(
    sbp: VitalBand(warningLow: 90, criticalLow: 80, warningHigh: 160, criticalHigh: 180),
    dbp: VitalBand(warningHigh: 100, criticalHigh: 110),
    hr: VitalBand(warningLow: 50, criticalLow: 40, warningHigh: 120, criticalHigh: 140),
    spo2: VitalBand(warningLow: 92, criticalLow: 88),
    rr: VitalBand(warningLow: 10, criticalLow: 8),
    required: 0, persistSamples: 2, persistTime: .seconds(10), staleAfter: .seconds(5),
    interlockWarnings: 2)
}

// Equality is for host code and tests; Embedded builds leave it out to save flash.
#if !hasFeature(Embedded)
  extension VitalsPolicy: Hashable {}
  extension VitalBand: Hashable {}
  extension VitalsSample: Hashable {}
#endif
