// Fixed-point units. Every quantity in PumpCore is an integer of one of these types; conversions
// name their rounding. Raw values are Int64 so a 7-day run at any legal rate cannot overflow.

/// Time on the controller's monotonic virtual clock, in milliseconds. Never read from a clock:
/// always passed in.
public struct Milliseconds: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func seconds(_ s: Int64) -> Milliseconds { Milliseconds(s * 1000) }
  public static func minutes(_ m: Int64) -> Milliseconds { Milliseconds(m * 60_000) }
  public static func hours(_ h: Int64) -> Milliseconds { Milliseconds(h * 3_600_000) }
  public static let zero = Milliseconds(0)
  public static func < (a: Milliseconds, b: Milliseconds) -> Bool { a.rawValue < b.rawValue }
  public static func + (a: Milliseconds, b: Milliseconds) -> Milliseconds {
    Milliseconds(a.rawValue + b.rawValue)
  }
  public static func - (a: Milliseconds, b: Milliseconds) -> Milliseconds {
    Milliseconds(a.rawValue - b.rawValue)
  }
}

/// Drug mass in micrograms.
public struct Micrograms: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func milligrams(_ mg: Int64) -> Micrograms { Micrograms(mg * 1000) }
  public static let zero = Micrograms(0)
  public static func < (a: Micrograms, b: Micrograms) -> Bool { a.rawValue < b.rawValue }
  public static func + (a: Micrograms, b: Micrograms) -> Micrograms {
    Micrograms(a.rawValue + b.rawValue)
  }
  public static func - (a: Micrograms, b: Micrograms) -> Micrograms {
    Micrograms(a.rawValue - b.rawValue)
  }
  /// Picograms in this mass (exact).
  public var picograms: Int64 { rawValue * 1_000_000 }
}

/// Volume in microlitres.
public struct Microliters: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func milliliters(_ ml: Int64) -> Microliters { Microliters(ml * 1000) }
  public static let zero = Microliters(0)
  public static func < (a: Microliters, b: Microliters) -> Bool { a.rawValue < b.rawValue }
  public var nanoliters: Int64 { rawValue * 1000 }
}

/// Volumetric flow in microlitres per hour (1 mL/h = 1000).
public struct MicrolitersPerHour: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func millilitersPerHour(_ v: Int64) -> MicrolitersPerHour {
    MicrolitersPerHour(v * 1000)
  }
  public static let zero = MicrolitersPerHour(0)
  public static func < (a: MicrolitersPerHour, b: MicrolitersPerHour) -> Bool {
    a.rawValue < b.rawValue
  }
}

// Typed rate × time conversions: the only places that know µL/h × ms = nL × 3600.
extension Milliseconds {
  /// One hour, ms: the denominator of every per-hour rate.
  public static let hour = Milliseconds(3_600_000)
}

extension MicrolitersPerHour {
  /// Volume delivered at this rate over `t`, nL, rounded down (toward less drug).
  public func nanoliters(over t: Milliseconds) -> Int64 {
    Arith.mulDivFloor(rawValue, t.rawValue, Milliseconds.hour.rawValue / 1000)
  }

  /// Time to deliver `nanoliters` at this rate, rounded up (zero rate: zero).
  public func timeCeil(toDeliverNanoliters nl: Int64) -> Milliseconds {
    Milliseconds(Arith.mulDivCeil(nl, Milliseconds.hour.rawValue / 1000, rawValue))
  }

  /// Time to deliver `nanoliters` at this rate, rounded down (deadlines that must not be late).
  public func timeFloor(toDeliverNanoliters nl: Int64) -> Milliseconds {
    Milliseconds(Arith.mulDivFloor(nl, Milliseconds.hour.rawValue / 1000, rawValue))
  }

  /// Drug mass delivered at this rate over `t` at concentration `c`, pg, rounded up (the
  /// limit side: never under-estimates what a plan would deliver).
  public func picogramsCeil(over t: Milliseconds, at c: MicrogramsPerMilliliter) -> Int64 {
    Arith.mulDivCeil(rawValue * t.rawValue, c.rawValue, Milliseconds.hour.rawValue / 1000)
  }

  /// The rate that delivers `nanoliters` over `t`, rounded down (toward less drug).
  public static func rate(delivering nl: Int64, over t: Milliseconds) -> MicrolitersPerHour {
    MicrolitersPerHour(Arith.mulDivFloor(nl, Milliseconds.hour.rawValue / 1000, t.rawValue))
  }
}

extension Microliters {
  /// How long this volume lasts at `rate`, rounded down (the alarm side); zero rate: forever.
  public func time(at rate: MicrolitersPerHour) -> Milliseconds {
    guard rate.rawValue > 0 else { return Milliseconds(Int64.max) }
    return Milliseconds(Arith.mulDivFloor(rawValue, Milliseconds.hour.rawValue, rate.rawValue))
  }
}

/// Drug mass rate in micrograms per hour (1 mg/h = 1000).
public struct MicrogramsPerHour: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func milligramsPerHour(_ v: Int64) -> MicrogramsPerHour {
    MicrogramsPerHour(v * 1000)
  }
  public static let zero = MicrogramsPerHour(0)
  public static func < (a: MicrogramsPerHour, b: MicrogramsPerHour) -> Bool {
    a.rawValue < b.rawValue
  }
}

/// Concentration in micrograms per millilitre (5 mg/mL = 5000). Also picograms per nanolitre.
public struct MicrogramsPerMilliliter: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func milligramsPerMilliliter(_ v: Int64) -> MicrogramsPerMilliliter {
    MicrogramsPerMilliliter(v * 1000)
  }
  public static func < (a: MicrogramsPerMilliliter, b: MicrogramsPerMilliliter) -> Bool {
    a.rawValue < b.rawValue
  }
}

/// Patient weight in grams.
public struct Grams: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func kilograms(_ kg: Int64) -> Grams { Grams(kg * 1000) }
  public static func < (a: Grams, b: Grams) -> Bool { a.rawValue < b.rawValue }
}

/// Pressure in milli-psi (1 psi = 1000). Profiles state thresholds in psi; 1 psi = 51.715 mmHg.
public struct MilliPSI: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func psi(_ v: Int64) -> MilliPSI { MilliPSI(v * 1000) }
  public static let zero = MilliPSI(0)
  public static func < (a: MilliPSI, b: MilliPSI) -> Bool { a.rawValue < b.rawValue }
}

/// Per-kilogram dose, micrograms per kg (0.35 mg/kg = 350).
public struct MicrogramsPerKilogram: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func < (a: MicrogramsPerKilogram, b: MicrogramsPerKilogram) -> Bool {
    a.rawValue < b.rawValue
  }
  /// The absolute dose for `weight`, rounded down (toward less drug).
  public func dose(forWeight weight: Grams) -> Micrograms {
    Micrograms(Arith.mulDivFloor(rawValue, weight.rawValue, 1000))
  }
}

/// Per-kilogram rate, micrograms per kg per hour (1 mg/kg/h = 1000).
public struct MicrogramsPerKilogramHour: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ value: Int64) { self.rawValue = value }
  public static func < (a: MicrogramsPerKilogramHour, b: MicrogramsPerKilogramHour) -> Bool {
    a.rawValue < b.rawValue
  }
  /// The absolute rate for `weight`, rounded down (toward less drug).
  public func rate(forWeight weight: Grams) -> MicrogramsPerHour {
    MicrogramsPerHour(Arith.mulDivFloor(rawValue, weight.rawValue, 1000))
  }
}
