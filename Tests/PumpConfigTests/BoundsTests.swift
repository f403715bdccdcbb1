import PumpConfig
import PumpCore
import PumpHardware
import Testing

@Suite("One bound per prescription field")
struct BoundsTests {
  @Test(
    "REQ-RX-BOUNDS-01: a drug library whose hard limits leave the field's one bound is refused at the value"
  )
  func libraryOutsideBound() {
    #expect(PrescriptionField.maxBolusesPerHour.bounds == 0...999)
    let text = TestYAML.replacing(
      "      upper_hard: 12\n", with: "      upper_hard: 1000\n", in: TestYAML.library)
    do {
      _ = try PumpConfig.loadDrugLibrary(yaml: text, file: "lib.yaml")
      Issue.record("loaded a library allowing 1000 boluses per hour")
    } catch {
      #expect(error.description.contains("outside the field's bound 0…999"))
      #expect(error.description.contains("max_boluses_per_hour"))
    }
  }
}

@Suite("Exploration defaults")
struct ExplorationDefaultsTests {
  @Test(
    "REQ-EXPLORE-RANDOM-01: the explorers' built-in pump and drug entry equal the shipped YAML"
  )
  func defaultsMatchShipped() throws {
    let config = try PumpConfig.loadDirectory(Fixtures.profilesDirectory)
    let model = try #require(config.model(id: ExplorationDefaults.profileID))
    #expect(model.profile == ExplorationDefaults.profile)
    #expect(config.formulary.entry(DrugEntryID(1)) == ExplorationDefaults.entry1)
    #expect(config.formulary.acutePostOp == ExplorationDefaults.formulary.acutePostOp)
    #expect(config.formulary.chronicPain == ExplorationDefaults.formulary.chronicPain)
    #expect(config.formulary.paediatric == ExplorationDefaults.formulary.paediatric)
  }
}
