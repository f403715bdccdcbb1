import PumpCore

/// The monitor's four channels (ECG → HR, arterial line or cuff → SBP/DBP, pulse oximeter →
/// SpO2, respiration → RR): when each is next due, which have dropped out, which will spike.
struct MonitorChannels: Sendable {
  static let ecg = 0
  static let pressure = 1
  static let oximeter = 2
  static let respiration = 3
  var nextContinuous = Milliseconds.zero
  var nextCuff = Milliseconds.zero
  var dropoutUntil = [Milliseconds](repeating: .zero, count: 4)
  var spikePending = [Bool](repeating: false, count: 4)
  private var lastElapsed = Milliseconds(-1)
  private var pDropout = 0.0
  private var pSpike = 0.0

  mutating func start(at t: Milliseconds, settings: MonitorSettings) {
    nextContinuous = t
    nextCuff = t
  }

  /// The sample at `t` after a step of `elapsed`: dropouts and spikes are drawn for the step,
  /// then every due channel that is not dropped out reports (rounded to whole units).
  mutating func sample(
    at t: Milliseconds, elapsed: Milliseconds, vitals v: PatientVitals,
    settings s: MonitorSettings, random g: inout PatientRandom
  ) -> VitalsSample? {
    if elapsed != lastElapsed {
      lastElapsed = elapsed
      let hours = Double(elapsed.rawValue) / 3_600_000
      pDropout = 1 - PatientMath.exp(-s.dropoutsPerHour * hours)
      pSpike = 1 - PatientMath.exp(-s.spikesPerHour * hours)
    }
    for c in 0..<4 {
      if s.dropoutsPerHour > 0, g.chance(pDropout) { dropoutUntil[c] = t + s.dropoutDuration }
      if s.spikesPerHour > 0, g.chance(pSpike) { spikePending[c] = true }
    }
    let continuous = t >= nextContinuous
    if continuous { nextContinuous = Self.next(after: t, from: nextContinuous, s.continuousPeriod) }
    var pressureDue = false
    switch s.bloodPressure {
    case .arterialLine: pressureDue = continuous
    case .nibp(let every):
      if t >= nextCuff {
        pressureDue = true
        nextCuff = Self.next(after: t, from: nextCuff, every)
      }
    }
    var out = VitalsSample()
    var any = false
    func up(_ c: Int) -> Bool { dropoutUntil[c] <= t }
    func spike(_ c: Int) -> Bool {
      guard spikePending[c] else { return false }
      spikePending[c] = false
      return true
    }
    if continuous, up(Self.ecg) {
      out.hr = Self.round(spike(Self.ecg) ? v.hr * 2 : v.hr)
      any = true
    }
    if pressureDue, up(Self.pressure) {
      let s = spike(Self.pressure)
      out.sbp = Self.round(v.sbp + (s ? 60 : 0))
      out.dbp = Self.round(v.dbp + (s ? 30 : 0))
      any = true
    }
    if continuous, up(Self.oximeter) {
      out.spo2 = Self.round(spike(Self.oximeter) ? v.spo2 - 25 : v.spo2)
      any = true
    }
    if continuous, up(Self.respiration) {
      out.rr = Self.round(spike(Self.respiration) ? v.rr + 20 : v.rr)
      any = true
    }
    return any ? out : nil
  }

  /// The first instant of the grid `from + k·period` after `t`.
  static func next(after t: Milliseconds, from: Milliseconds, _ period: Milliseconds)
    -> Milliseconds
  {
    let p = max(period.rawValue, 1)
    let k = (t.rawValue - from.rawValue) / p + 1
    return Milliseconds(from.rawValue + k * p)
  }

  /// Nearest whole unit, half away from zero (by truncation: no libm call), clamped.
  static func round(_ x: Double) -> Int32 {
    guard x > -1e6 && x < 1e6 else { return x > 0 ? 1_000_000 : -1_000_000 }
    return Int32(x + (x >= 0 ? 0.5 : -0.5))
  }
}
