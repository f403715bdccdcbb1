import PumpCore

/// A patient as a file describes it (HardwareProfiles/patients/*.yaml, loaded by PumpConfig):
/// the typical individual of a group, and how individuals of the group vary.
public struct PatientProfile: Sendable, Equatable {
  /// File name stem.
  public var id: String
  public var name: String
  public var weight: Grams
  public var ageYears: Int
  public var pkModel: PKModel
  public var baselines: Baselines
  public var pd: PDParameters
  public var noise: NoiseParameters
  public var demand: DemandParameters
  public var variability: Variability

  public init(
    id: String, name: String, weight: Grams, ageYears: Int, pkModel: PKModel,
    baselines: Baselines, pd: PDParameters = .adult, noise: NoiseParameters = NoiseParameters(),
    demand: DemandParameters = DemandParameters(), variability: Variability = Variability()
  ) {
    self.id = id
    self.name = name
    self.weight = weight
    self.ageYears = ageYears
    self.pkModel = pkModel
    self.baselines = baselines
    self.pd = pd
    self.noise = noise
    self.demand = demand
    self.variability = variability
  }

  public var weightKg: Double { Double(weight.rawValue) / 1000 }

  /// The typical individual: published PK for this weight, the file's PD and baselines.
  public var typical: VirtualPatient {
    VirtualPatient(
      profileID: id, weight: weight, pk: pkModel.parameters(weightKg: weightKg), pd: pd,
      baselines: baselines, noise: noise, demand: demand)
  }

  /// The adult of the tests and benchmarks when no file is loaded: 70 kg, Domino PK.
  public static let adult70kg = PatientProfile(
    id: "adult-70kg", name: "Adult 70 kg after major surgery", weight: .kilograms(70),
    ageYears: 45, pkModel: .domino,
    baselines: Baselines(hr: 75, sbp: 125, dbp: 75, spo2: 97, rr: 14, pain: 6.5))
}
