import PumpCore

/// How the bedside monitor samples the patient and what goes wrong with it. Real monitors:
/// the arterial line gives SBP/DBP beat to beat (reported every second), a non-invasive cuff
/// every few minutes; ECG heart rate, SpO2 and respiratory rate are continuous (reported every
/// `continuousPeriod`). Artefact rates are per channel per hour, drawn from the patient's seed.
public struct MonitorSettings: Sendable, Equatable {
  public enum BloodPressure: Sendable, Equatable {
    /// Invasive arterial line, a reading every `continuousPeriod`.
    case arterialLine
    /// Non-invasive cuff, one reading every `every` (the first at the start).
    case nibp(every: Milliseconds)
  }

  public var bloodPressure: BloodPressure
  /// Reporting period of the continuous channels (and of the arterial line).
  public var continuousPeriod: Milliseconds
  /// Spikes (one implausible reading: motion, flush, double-counted QRS) per channel-hour.
  public var spikesPerHour: Double
  /// Lead-off / probe-off dropouts (the channel reports nothing) per channel-hour.
  public var dropoutsPerHour: Double
  /// How long a dropout lasts.
  public var dropoutDuration: Milliseconds

  public init(
    bloodPressure: BloodPressure = .arterialLine, continuousPeriod: Milliseconds = .seconds(1),
    spikesPerHour: Double = 0.5, dropoutsPerHour: Double = 0.2,
    dropoutDuration: Milliseconds = .seconds(20)
  ) {
    self.bloodPressure = bloodPressure
    self.continuousPeriod = continuousPeriod
    self.spikesPerHour = spikesPerHour
    self.dropoutsPerHour = dropoutsPerHour
    self.dropoutDuration = dropoutDuration
  }

  /// A perfect monitor: no spikes, no dropouts.
  public static let clean = MonitorSettings(spikesPerHour: 0, dropoutsPerHour: 0)
}
