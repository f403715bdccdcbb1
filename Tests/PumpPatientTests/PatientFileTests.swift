import Foundation
import PumpConfig
import PumpCore
import PumpPatient
import Testing

@Suite struct PatientFileTests {
  static let directory = "\(DocFile.root)/HardwareProfiles/patients"

  @Test func `REQ-PAT-CFG-01 the shipped patient files load, and every value names its source`()
    throws
  {
    let ids = [
      "adult-70kg", "elderly-65kg", "child-20kg", "hypertensive-80kg",
      "sensitive-responder",
    ]
    for id in ids {
      let path = "\(Self.directory)/\(id).yaml"
      let profile = try PumpConfig.loadPatient(path: path)
      #expect(profile.id == id)
      let text = try DocFile.read("HardwareProfiles/patients/\(id).yaml")
      for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        let isValue = !line.trimmingPrefix(" ").hasSuffix(":")
        if isValue { #expect(line.contains("# source:"), "\(id): \(line)") }
      }
    }
    let adult = try PumpConfig.loadPatient(path: "\(Self.directory)/adult-70kg.yaml")
    #expect(adult == PatientProfile.adult70kg)
    let child = try PumpConfig.loadPatient(path: "\(Self.directory)/child-20kg.yaml")
    #expect(child.pkModel == .herd && child.weight == .kilograms(20))
    // The pump-model loader still ignores the patients directory.
    _ = try PumpConfig.loadDirectory("\(DocFile.root)/HardwareProfiles")
  }

  @Test func `REQ-PAT-CFG-02 a bad patient file is refused with file, line and field`() throws {
    let good = try DocFile.read("HardwareProfiles/patients/adult-70kg.yaml")
    func error(_ text: String) -> ConfigError? {
      do {
        _ = try PumpConfig.loadPatient(yaml: text, file: "bad.yaml")
        return nil
      } catch { return error }
    }
    let wrongType = good.replacingOccurrences(of: "  sbp: 125 ", with: "  sbp: high ")
    let e1 = try #require(error(wrongType))
    #expect(
      e1.description.hasPrefix("bad.yaml:10:8: error: field 'baseline.sbp': expected a number"))
    let unknown = good.replacingOccurrences(of: "pk_model: domino", with: "pk_model: schnider")
    let e2 = try #require(error(unknown))
    #expect(e2.field == "pk_model" && e2.line == 7)
    #expect(e2.message.contains("unknown PK model 'schnider'"))
    let inverted = good.replacingOccurrences(of: "  dbp: 75 ", with: "  dbp: 135 ")
    let e3 = try #require(error(inverted))
    #expect(e3.field == "baseline.dbp" && e3.message.contains("must be below systolic"))
    let missing = good.replacingOccurrences(of: "weight: \"70 kg\"", with: "mass: \"70 kg\"")
    let e4 = try #require(error(missing))
    #expect(e4.field == "mass" && e4.message.contains("unknown field 'mass'"))
    let wrongUnit = good.replacingOccurrences(of: "\"70 kg\"", with: "\"70 mL\"")
    let e5 = try #require(error(wrongUnit))
    #expect(e5.field == "weight" && e5.line == 5)
  }
}
