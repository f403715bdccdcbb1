import PumpCore

/// One pump model: names for people and the checked `HardwareProfile` the controller runs on.
/// A plain value, so the firmware runs without the YAML loader: PumpConfig reads
/// `HardwareProfiles/<id>.yaml` into it (`PumpModel.parse`), pumpsim does the loading.
public struct PumpModel: Equatable, Sendable {
  /// Stable identifier, lowercase letters, digits and '-' (e.g. `syringe-pca-60ml`).
  public var id: String
  /// Display name.
  public var name: String
  /// One or two sentences about the model.
  public var description: String
  /// The numbers the controller and simulated hardware use, already validated.
  public var profile: HardwareProfile

  public init(id: String, name: String, description: String, profile: HardwareProfile) {
    self.id = id
    self.name = name
    self.description = description
    self.profile = profile
  }
}
