import PumpConfig
import PumpCore
import PumpTrace

extension TraceResolver {
  /// The pump models and formulary of a loaded `HardwareProfiles/` directory.
  public init(_ config: PumpConfig.Configuration) {
    self.init(
      profiles: config.models.map { ($0.id, $0.profile) }, formulary: config.formulary,
      patients: config.patients)
  }
}

extension TraceSetup {
  /// Binds `trace`'s header to `config` (`TraceSetup.bind(_:to:)` with its resolver).
  ///
  /// - Throws: `TraceError` at the header value for an unknown profile, drug entry or patient.
  public static func bind(_ trace: Trace, to config: PumpConfig.Configuration) throws(TraceError)
    -> TraceSetup
  {
    try bind(trace, to: TraceResolver(config))
  }
}
