import PumpCore

/// A run of vitals samples: a generator (`vitals every 1s until 24h SBP=125 … jitter 3`) or a
/// table read from a CSV file. Generated samples are computed on demand, so a week of 1 Hz
/// vitals costs a few bytes of trace and no memory.
public struct VitalsSeries: Hashable, Sendable {
  /// How the samples are made.
  public enum Source: Hashable, Sendable {
    /// `base` every `period` from the line's time until `end` (exclusive), each present vital
    /// moved by a seeded uniform jitter in ±`jitter`.
    case generator(base: VitalsSample, period: Milliseconds, end: Milliseconds, jitter: Int32)
    /// Samples at `times` (absolute, ascending) with `samples[i]` at `times[i]`.
    case table(times: [Milliseconds], samples: [VitalsSample])
  }

  public var source: Source
  /// Time of the first sample (the line's time).
  public var start: Milliseconds
  /// Bit set of `Vital.bit` this series feeds: an active newer series masks these vitals of
  /// older ones (an overlay episode on a baseline).
  public var vitals: UInt8
  /// Seed of the jitter stream (the trace seed mixed with the line number).
  public var seed: UInt64

  public init(source: Source, start: Milliseconds, vitals: UInt8, seed: UInt64) {
    self.source = source
    self.start = start
    self.vitals = vitals
    self.seed = seed
  }

  /// The instant after the last sample: samples lie in [start, end).
  public var end: Milliseconds {
    switch source {
    case .generator(_, _, let end, _): end
    case .table(let times, _): times.last.map { $0 + Milliseconds(1) } ?? start
    }
  }

  /// Number of samples the series produces.
  public var count: Int {
    switch source {
    case .generator(_, let period, let end, _):
      end > start ? Int((end - start - Milliseconds(1)).rawValue / max(period.rawValue, 1) + 1) : 0
    case .table(let times, _): times.count
    }
  }
}

extension VitalsSample {
  /// Bit set of `Vital.bit` for the vitals present.
  /// (Field by field: the runner asks this for every generated sample.)
  public var presentMask: UInt8 {
    (sbp == nil ? 0 : 1 << Vital.sbp.rawValue) | (dbp == nil ? 0 : 1 << Vital.dbp.rawValue)
      | (hr == nil ? 0 : 1 << Vital.hr.rawValue) | (spo2 == nil ? 0 : 1 << Vital.spo2.rawValue)
      | (rr == nil ? 0 : 1 << Vital.rr.rawValue)
  }

  /// This sample without the vitals in `mask`.
  public func removing(_ mask: UInt8) -> VitalsSample {
    if mask == 0 { return self }
    return VitalsSample(
      sbp: mask & Vital.sbp.bit != 0 ? nil : sbp, dbp: mask & Vital.dbp.bit != 0 ? nil : dbp,
      hr: mask & Vital.hr.bit != 0 ? nil : hr, spo2: mask & Vital.spo2.bit != 0 ? nil : spo2,
      rr: mask & Vital.rr.bit != 0 ? nil : rr)
  }

  /// Sets one vital.
  public mutating func set(_ v: Vital, _ value: Int32?) {
    switch v {
    case .sbp: sbp = value
    case .dbp: dbp = value
    case .hr: hr = value
    case .spo2: spo2 = value
    case .rr: rr = value
    }
  }
}
