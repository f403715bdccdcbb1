import PumpCore

extension Prescription {
  /// A prescription drawn around `base` — basal, bolus, loading dose, lockout, boluses per hour,
  /// window limits, bolus rate and VTBI — for the random explorer and the property suite (one
  /// generator, so both explore the same space). Some draws break the library's limits on
  /// purpose: the controller must reject those with a reason.
  public static func random(around base: Prescription, using r: inout some RandomNumberGenerator)
    -> Prescription
  {
    var rx = base
    rx.basalRate = MicrogramsPerHour(Int64.random(in: 0...12, using: &r) * 1000)
    rx.bolusDose = Micrograms(Int64.random(in: 0...6, using: &r) * 500)
    rx.loadingDose = Int.random(in: 0..<4, using: &r) == 0 ? .milligrams(3) : .zero
    rx.lockout = .minutes(Int64.random(in: 5...30, using: &r))
    rx.maxBolusesPerHour = Int64.random(in: 1...8, using: &r)
    rx.limit1h = Micrograms(Int64.random(in: 4...30, using: &r) * 1000)
    rx.limit4h = Micrograms(rx.limit1h.rawValue * Int64.random(in: 1...4, using: &r))
    rx.bolusRate = .millilitersPerHour(Int64.random(in: 10...120, using: &r))
    rx.vtbi = .milliliters(Int64.random(in: 1...60, using: &r))
    return rx
  }
}
