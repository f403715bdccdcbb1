import Foundation
import PumpCore
import PumpHardware
import PumpPatient

/// Loaders for KetaPump's host-side configuration: pump models, the drug library and the
/// care-area vitals policies, all YAML under `HardwareProfiles/`. Every loader is strict (unknown
/// fields, missing fields, wrong types and units are errors), checks consistency, never traps on
/// any input, and reports problems as `ConfigError` with file, line, column and field path.
public enum PumpConfig {
  /// The file name of the drug library inside a profiles directory.
  public static let drugLibraryFileName = "drug-library.yaml"
  /// The file name of the care-area policies inside a profiles directory.
  public static let careAreasFileName = "care-areas.yaml"

  /// Everything in a profiles directory.
  public struct Configuration: Equatable, Sendable {
    /// Pump models, sorted by id.
    public var models: [PumpModel]
    public var drugLibrary: DrugLibrary
    public var careAreas: CareAreaPolicies
    /// Patient files (`patients/*.yaml`), sorted by id; empty when there is no such directory.
    public var patients: [PatientProfile]

    public init(
      models: [PumpModel], drugLibrary: DrugLibrary, careAreas: CareAreaPolicies,
      patients: [PatientProfile] = []
    ) {
      self.models = models
      self.drugLibrary = drugLibrary
      self.careAreas = careAreas
      self.patients = patients
    }

    /// The model with `id`, or nil.
    public func model(id: String) -> PumpModel? { models.first(where: { $0.id == id }) }
  }

  /// Loads one pump model file (`HardwareProfiles/<id>.yaml`).
  public static func loadModel(path: String) throws(ConfigError) -> PumpModel {
    try loadModel(yaml: readText(path: path), file: path)
  }

  /// Loads one pump model from YAML text; `file` names it in errors.
  public static func loadModel(yaml: String, file: String = "<string>") throws(ConfigError)
    -> PumpModel
  {
    try PumpModel.parse(YAMLNode.root(yaml: yaml, file: file))
  }

  /// Loads the drug library file.
  public static func loadDrugLibrary(path: String) throws(ConfigError) -> DrugLibrary {
    try loadDrugLibrary(yaml: readText(path: path), file: path)
  }

  /// Loads a drug library from YAML text; `file` names it in errors. `sha256` is computed over
  /// the UTF-8 bytes of `yaml`.
  public static func loadDrugLibrary(yaml: String, file: String = "<string>") throws(ConfigError)
    -> DrugLibrary
  {
    try DrugLibrary.parse(YAMLNode.root(yaml: yaml, file: file), text: yaml)
  }

  /// Loads the care-area vitals policies file.
  public static func loadCareAreas(path: String) throws(ConfigError) -> CareAreaPolicies {
    try loadCareAreas(yaml: readText(path: path), file: path)
  }

  /// Loads care-area vitals policies from YAML text; `file` names it in errors.
  public static func loadCareAreas(yaml: String, file: String = "<string>") throws(ConfigError)
    -> CareAreaPolicies
  {
    try CareAreaPolicies.parse(YAMLNode.root(yaml: yaml, file: file))
  }

  /// Loads a whole profiles directory: `drug-library.yaml`, `care-areas.yaml`, and every other
  /// `*.yaml` as a pump model, and the patient files in `patients/` if that directory exists.
  /// Errors name files as `<directory>/<file>`. A model's id must
  /// equal its file name without `.yaml`, and ids are therefore unique.
  public static func loadDirectory(_ directory: String) throws(ConfigError) -> Configuration {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    } catch {
      throw ConfigError(
        file: directory, line: 0, column: 0, field: nil, message: "cannot list directory")
    }
    let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    var models: [PumpModel] = []
    for name in names where name.hasSuffix(".yaml") {
      if name == drugLibraryFileName || name == careAreasFileName { continue }
      let path = "\(base)/\(name)"
      let stem = String(name.dropLast(".yaml".count))
      let root = try YAMLNode.root(yaml: readText(path: path), file: path)
      models.append(try PumpModel.parse(root, expectedID: stem))
    }
    if models.isEmpty {
      throw ConfigError(
        file: directory, line: 0, column: 0, field: nil, message: "no pump model files (*.yaml)")
    }
    return Configuration(
      models: models,
      drugLibrary: try loadDrugLibrary(path: "\(base)/\(drugLibraryFileName)"),
      careAreas: try loadCareAreas(path: "\(base)/\(careAreasFileName)"),
      patients: try loadPatients(directory: "\(base)/\(patientsDirectoryName)"))
  }

  /// Every `*.yaml` in `directory` as a patient file, sorted by id; none when the directory
  /// does not exist.
  public static func loadPatients(directory: String) throws(ConfigError) -> [PatientProfile] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue
    else { return [] }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    } catch {
      throw ConfigError(
        file: directory, line: 0, column: 0, field: nil, message: "cannot list directory")
    }
    var out: [PatientProfile] = []
    for name in names where name.hasSuffix(".yaml") {
      out.append(try loadPatient(path: "\(directory)/\(name)"))
    }
    return out
  }
}

extension PumpConfig.Configuration {
  /// The drug library and care-area policies as the controller's formulary.
  public var formulary: Formulary {
    Formulary(
      entries: drugLibrary.entries.map(\.entry), acutePostOp: careAreas[.acutePostOp],
      chronicPain: careAreas[.chronicPain], paediatric: careAreas[.paediatric])
  }
}
