import PumpCore
import PumpPatient

/// Reading `HardwareProfiles/patients/*.yaml` into a `PatientProfile` (format: docs/PATIENT.md).
/// Strict like every loader here: unknown or missing fields, wrong types and out-of-range
/// values are `ConfigError`s with file, line, column and field path.
enum PatientFile {
  static let pkModels: [(String, PKModel)] = PKModel.allCases.map { ($0.rawValue, $0) }

  static func parse(_ root: YAMLNode, expectedID: String?) throws(ConfigError) -> PatientProfile {
    let f = try root.fields(
      allowed: [
        "id", "name", "weight", "age", "pk_model", "baseline", "pd", "noise", "demand",
        "variability",
      ], what: "a patient file")
    let idNode = try f.required("id")
    let id = try idNode.text()
    if let expectedID, id != expectedID {
      throw idNode.error("id '\(id)' must equal the file name '\(expectedID)'")
    }
    let weightNode = try f.required("weight")
    let weight = Grams(try weightNode.quantity(.weight))
    if weight.rawValue < 500 || weight.rawValue > 300_000 {
      throw weightNode.error("must be between 0.5 kg and 300 kg")
    }
    var profile = PatientProfile(
      id: id, name: try f.required("name").text(), weight: weight,
      ageYears: Int(try f.required("age").integer(in: 0...120)),
      pkModel: try f.required("pk_model").choice(pkModels, what: "PK model"),
      baselines: try baselines(f.required("baseline")))
    if let pd = f.optional("pd") { profile.pd = try self.pd(pd) }
    if let n = f.optional("noise") { profile.noise = try noise(n) }
    if let d = f.optional("demand") { profile.demand = try demand(d) }
    if let v = f.optional("variability") { profile.variability = try variability(v) }
    return profile
  }

  static func baselines(_ node: YAMLNode) throws(ConfigError) -> Baselines {
    let f = try node.fields(
      allowed: ["hr", "sbp", "dbp", "spo2", "rr", "pain"], what: "the baseline vitals")
    let sbpNode = try f.required("sbp")
    let sbp = try sbpNode.number(in: 50...250)
    let dbpNode = try f.required("dbp")
    let dbp = try dbpNode.number(in: 20...150)
    if dbp >= sbp { throw dbpNode.error("diastolic \(dbp) must be below systolic \(sbp)") }
    return Baselines(
      hr: try f.required("hr").number(in: 30...220), sbp: sbp, dbp: dbp,
      spo2: try f.required("spo2").number(in: 70...100),
      rr: try f.required("rr").number(in: 4...60), pain: try f.required("pain").number(in: 0...10))
  }

  static func emax(_ node: YAMLNode, emaxRange: ClosedRange<Double>) throws(ConfigError)
    -> EmaxRelation
  {
    let f = try node.fields(allowed: ["emax", "ec50", "gamma"], what: "a sigmoid-Emax relation")
    return EmaxRelation(
      emax: try f.required("emax").number(in: emaxRange),
      ec50: try f.required("ec50").number(in: 1...100_000),
      gamma: try f.required("gamma").number(in: 0.1...10))
  }

  static func pd(_ node: YAMLNode) throws(ConfigError) -> PDParameters {
    let f = try node.fields(
      allowed: ["hr", "sbp", "dbp", "analgesia", "dissociation_onset", "dissociation_full"],
      what: "the pharmacodynamics")
    let onset = try f.required("dissociation_onset").number(in: 0...100_000)
    let fullNode = try f.required("dissociation_full")
    let full = try fullNode.number(in: 0...100_000)
    if full <= onset { throw fullNode.error("must be above dissociation_onset \(onset)") }
    return PDParameters(
      hr: try emax(f.required("hr"), emaxRange: 0...5),
      sbp: try emax(f.required("sbp"), emaxRange: 0...5),
      dbp: try emax(f.required("dbp"), emaxRange: 0...5),
      analgesia: try emax(f.required("analgesia"), emaxRange: 0...10),
      dissociationOnset: onset, dissociationFull: full)
  }

  static func noise(_ node: YAMLNode) throws(ConfigError) -> NoiseParameters {
    let names = [
      "hr_sd", "sbp_sd", "dbp_sd", "spo2_sd", "rr_sd", "pain_sd", "vitals_tau_min",
      "pain_tau_min",
    ]
    let f = try node.fields(allowed: names, what: "the physiological noise")
    var v: [Double] = []
    for name in names { v.append(try f.required(name).number(in: 0...1000)) }
    return NoiseParameters(
      hrSD: v[0], sbpSD: v[1], dbpSD: v[2], spo2SD: v[3], rrSD: v[4], painSD: v[5],
      vitalsTau: v[6], painTau: v[7])
  }

  static func demand(_ node: YAMLNode) throws(ConfigError) -> DemandParameters {
    let f = try node.fields(
      allowed: ["pain_threshold", "presses_per_minute"], what: "the demand model")
    return DemandParameters(
      painThreshold: try f.required("pain_threshold").number(in: 0...10),
      pressesPerMinute: try f.required("presses_per_minute").number(in: 0...60))
  }

  static func variability(_ node: YAMLNode) throws(ConfigError) -> Variability {
    let names = [
      "omega_volumes", "omega_clearances", "omega_ke0", "omega_ec50", "omega_emax",
      "hr_sd", "sbp_sd", "dbp_sd", "pain_sd",
    ]
    let f = try node.fields(allowed: names, what: "the inter-individual variability")
    var v: [Double] = []
    for name in names { v.append(try f.required(name).number(in: 0...100)) }
    return Variability(
      volumes: v[0], clearances: v[1], ke0: v[2], ec50: v[3], emax: v[4], hrSD: v[5],
      sbpSD: v[6], dbpSD: v[7], painSD: v[8])
  }
}

extension PumpConfig {
  /// The directory of patient files inside a profiles directory.
  public static let patientsDirectoryName = "patients"

  /// Loads one patient file; its `id` must equal the file name without `.yaml`.
  public static func loadPatient(path: String) throws(ConfigError) -> PatientProfile {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let stem = name.hasSuffix(".yaml") ? String(name.dropLast(".yaml".count)) : nil
    return try PatientFile.parse(
      YAMLNode.root(yaml: readText(path: path), file: path), expectedID: stem)
  }

  /// Loads a patient from YAML text; `file` names it in errors (the id is not checked).
  public static func loadPatient(yaml: String, file: String = "<string>") throws(ConfigError)
    -> PatientProfile
  {
    try PatientFile.parse(YAMLNode.root(yaml: yaml, file: file), expectedID: nil)
  }
}
