import PumpCore

/// What a patient step produced: the monitor's sample at the step's end (nil when no channel
/// was due or every due channel had dropped out) and the button presses during the step.
public struct PatientStep: Sendable {
  public var sample: VitalsSample?
  public var presses: Int

  public init(sample: VitalsSample?, presses: Int) {
    self.sample = sample
    self.presses = presses
  }
}
