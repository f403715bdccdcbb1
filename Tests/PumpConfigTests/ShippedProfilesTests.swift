import Foundation
import PumpConfig
import PumpCore
import Testing

@Suite("Shipped HardwareProfiles")
struct ShippedProfilesTests {
  @Test(
    "REQ-CONFIG-SHIPPED-01: every shipped pump model loads and validates",
    arguments: Fixtures.modelFiles)
  func modelLoads(file: String) throws {
    let model = try PumpConfig.loadModel(path: Fixtures.profile(file))
    #expect(model.id + ".yaml" == file)
    let p = model.profile
    #expect(p.minRate <= p.maxRate)
    #expect(p.maxRate <= p.mechanicalMaxRate)
    #expect(p.minRate.rawValue % p.rateResolution.rawValue == 0)
    #expect((1...100).contains(p.controlTick.rawValue))
    #expect(p.watchdogTimeout > p.controlTick)
    #expect(p.maxAudioPause <= .seconds(120))
    #expect(p.airInLineBubble > .zero)
    #expect(p.flowWindowBasal == .minutes(5))
    #expect(p.flowWindowBolus == .minutes(1))
    #expect(p.lowReservoirVolume == .milliliters(1))
    #expect(p.lowReservoirTime == .minutes(30))
    #expect(p.upstreamOcclusion == .psi(1))
  }

  @Test("REQ-CONFIG-SHIPPED-01: the 60 mL syringe profile has the documented numbers")
  func syringeValues() throws {
    let p = try PumpConfig.loadModel(path: Fixtures.profile("syringe-pca-60ml.yaml")).profile
    #expect(p.reservoirVolume == .milliliters(60))
    #expect(p.minRate == MicrolitersPerHour(100))
    #expect(p.maxRate == MicrolitersPerHour(600_000))
    #expect(p.rateResolution == MicrolitersPerHour(100))
    #expect(p.stepsPerMilliliter == 5760)
    #expect(p.minStepIntervalMicros == 500)
    #expect(p.downstreamOcclusion == .psi(10))
    #expect(p.airInLineBubble == Microliters(50))
    #expect(p.batteryCapacityMilliampHours == 2000)
    #expect(p.batteryDrainIdleMilliamps == 20)
    #expect(p.batteryDrainInfusingMilliamps == 120)
    #expect(p.batteryLowRemaining == .minutes(3))
    #expect(p.controlTick == Milliseconds(10))
    #expect(p.uartBaud == 115_200)
    #expect(p.uartDataBits == 8)
    #expect(p.uartParity == 0)
    #expect(p.uartStopBits == 1)
    #expect(p.nvMemoryBytes == 65536)
    #expect(p.watchdogTimeout == Milliseconds(100))
    #expect(p.overInfusionTolerancePercent == 5)
    #expect(p.underInfusionTolerancePercent == 5)
    #expect(p.maxAudioPause == .seconds(120))
    #expect(p.pausedTooLong == .minutes(5))
  }

  @Test("REQ-CONFIG-UNITS-03: mmHg occlusion threshold rounds down (1034 mmHg → 19.994 psi)")
  func largeVolumeMmHg() throws {
    let p = try PumpConfig.loadModel(path: Fixtures.profile("large-volume-1000ml.yaml")).profile
    #expect(p.downstreamOcclusion == MilliPSI(19_994))
    #expect(p.downstreamOcclusion <= .psi(20))
  }

  @Test("REQ-CONFIG-SHIPPED-01: the drug library loads with entries for every care area")
  func drugLibraryLoads() throws {
    let library = try PumpConfig.loadDrugLibrary(path: Fixtures.profile("drug-library.yaml"))
    #expect(library.entries.count == 5)
    for area in CareArea.allCases {
      #expect(!library.entries(careArea: area).isEmpty, "no entry for \(area)")
    }
    for item in library.entries {
      #expect(item.drug == "ketamine")
      let e = item.entry
      for g in [
        e.concentration, e.patientWeight, e.basalRatePerKg, e.basalRate, e.loadingDosePerKg,
        e.loadingDose, e.bolusDosePerKg, e.bolusDose, e.bolusRate, e.lockout,
        e.maxBolusesPerHour, e.limit1hPerKg, e.limit1h, e.limit4hPerKg, e.limit4h, e.vtbi,
        e.kvoRate, e.rateIncreaseInterval,
      ] {
        #expect(g.isWellFormed)
      }
    }
    #expect(library.sha256.count == 64)
  }

  @Test("REQ-DRUGLIB-LIMITS-01: acute adult entry carries the ASRA 2018 caps")
  func asraCaps() throws {
    let library = try PumpConfig.loadDrugLibrary(path: Fixtures.profile("drug-library.yaml"))
    let e = try #require(library.entry(id: DrugEntryID(1))).entry
    #expect(e.careArea == .acutePostOp)
    #expect(e.bolusDosePerKg.upperHard == 350)  // 0.35 mg/kg
    #expect(e.loadingDosePerKg.upperHard == 350)
    #expect(e.basalRatePerKg.upperHard == 1000)  // 1 mg/kg/h
    #expect(e.concentration.upperHard == 10_000)  // 10 mg/mL stock
    #expect(e.bolusRate.upperHard == 600_000)  // 10 mL/min
    #expect(e.kvoRate.upperSoft == 1000)  // 1 mL/h
  }

  @Test("REQ-DRUGLIB-LIMITS-02: ward protocol entries: 5 mg/mL, no loading dose, 25/15 mg/h caps")
  func wardProtocol() throws {
    let library = try PumpConfig.loadDrugLibrary(path: Fixtures.profile("drug-library.yaml"))
    let heavy = try #require(library.entry(id: DrugEntryID(2))).entry
    let light = try #require(library.entry(id: DrugEntryID(3))).entry
    for e in [heavy, light] {
      #expect(e.concentration == Guardrail(hard: 5000, 5000))
      #expect(e.loadingDose.upperHard == 0)
      #expect(e.loadingDosePerKg.upperHard == 0)
      #expect(e.basalRate.lowerSoft == 5000)  // start 5 mg/h
      #expect(e.rateIncreaseInterval.lowerHard == Milliseconds.hours(1).rawValue)
    }
    #expect(heavy.basalRate.upperHard == 25_000)
    #expect(heavy.patientWeight.lowerHard == 50_001)  // > 50 kg, exact in grams
    #expect(light.basalRate.upperHard == 15_000)
    #expect(light.patientWeight.upperHard == 50_000)
  }

  @Test("REQ-DRUGLIB-LIMITS-03: chronic (Cohen 2018) and paediatric (CHEO) limits")
  func chronicAndPaediatric() throws {
    let library = try PumpConfig.loadDrugLibrary(path: Fixtures.profile("drug-library.yaml"))
    let chronic = try #require(library.entries(careArea: .chronicPain).first).entry
    #expect(chronic.basalRate.upperSoft == 22_000)
    #expect(chronic.basalRatePerKg.upperSoft == 350)
    let paed = try #require(library.entries(careArea: .paediatric).first).entry
    #expect(paed.concentration.lowerHard == 1000)
    #expect(paed.concentration.upperHard == 5000)
    #expect(paed.basalRatePerKg.lowerSoft == 100)
    #expect(paed.basalRatePerKg.upperSoft == 300)
    #expect(paed.basalRatePerKg.upperHard == 1500)
    #expect(paed.basalRate.upperHard == 15_000)
    #expect(paed.loadingDosePerKg.upperSoft == 300)
    #expect(paed.loadingDose.upperHard == 17_500)
  }

  @Test("REQ-VITALS-POLICY-01: adult care areas use VitalsPolicy.ketamineDefault")
  func careAreas() throws {
    let policies = try PumpConfig.loadCareAreas(path: Fixtures.profile("care-areas.yaml"))
    #expect(policies[.acutePostOp] == VitalsPolicy.ketamineDefault)
    #expect(policies[.chronicPain] == VitalsPolicy.ketamineDefault)
    let paed = policies[.paediatric]
    #expect(paed != VitalsPolicy.ketamineDefault)
    #expect(paed.isRequired(.spo2))
    for vital in Vital.allCases {
      #expect(paed[vital].isWellFormed)
    }
  }

  @Test("REQ-CONFIG-DIRECTORY-01: loadDirectory loads every model, the library and care areas")
  func directory() throws {
    let config = try PumpConfig.loadDirectory(Fixtures.profilesDirectory)
    #expect(
      config.models.map(\.id) == [
        "ambulatory-cassette-100ml", "large-volume-1000ml", "syringe-pca-60ml",
      ])
    #expect(config.model(id: "syringe-pca-60ml") != nil)
    #expect(config.drugLibrary.entries.count == 5)
    #expect(config.careAreas[.acutePostOp] == .ketamineDefault)
  }

  /// A value line is `key: value` or `- value` with a non-empty value; nested-mapping openers
  /// (`key:` alone) and comment lines are exempt.
  @Test(
    "REQ-DRUGLIB-CITED-01: every value line in the shipped YAML carries a source comment",
    arguments: Fixtures.allYAMLFiles)
  func everyValueCited(file: String) throws {
    let lines = try Fixtures.text(file).split(separator: "\n", omittingEmptySubsequences: false)
    var uncited: [Int] = []
    for (index, raw) in lines.enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasSuffix(":") && !line.contains(" ") { continue }
      guard let hash = line.range(of: " # ") else {
        uncited.append(index + 1)
        continue
      }
      let comment = line[hash.upperBound...].trimmingCharacters(in: .whitespaces)
      if comment.isEmpty { uncited.append(index + 1) }
    }
    #expect(uncited.isEmpty, "\(file): lines without a source comment: \(uncited)")
    #expect(Fixtures.allYAMLFiles.count >= 5)
  }
}
