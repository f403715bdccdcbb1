import Foundation
import PumpConfig
import PumpCore
import Testing

/// Bad input: each case edits one valid document and asserts the exact diagnostic, including
/// file, line, column and field path.
@Suite("Config errors")
struct ConfigErrorTests {
  struct Edit: Sendable, CustomTestStringConvertible {
    let old: String
    let new: String
    let error: String
    var testDescription: String { "\(old) → \(new)" }
  }

  static let modelFile = "HardwareProfiles/x.yaml"

  static func modelError(_ edit: Edit) -> String? {
    do {
      _ = try PumpConfig.loadModel(
        yaml: TestYAML.replacing(edit.old, with: edit.new, in: TestYAML.model), file: modelFile)
      return nil
    } catch {
      return error.description
    }
  }

  @Test("REQ-CONFIG-WRONG-UNIT-01: a quantity in the wrong dimension names the expected units")
  func wrongUnit() {
    #expect(
      Self.modelError(.init(old: "max_rate: \"10 mL/min\"", new: "max_rate: \"5 mL\"", error: ""))
        == "HardwareProfiles/x.yaml:6:11: error: field 'max_rate': expected a flow rate (µL/h, mL/h, mL/min), got '5 mL'"
    )
  }

  static let modelEdits: [Edit] = [
    // REQ-CONFIG-UNKNOWN-FIELD-01
    Edit(
      old: "max_rate: \"10 mL/min\"", new: "max_rat: \"10 mL/min\"",
      error:
        "HardwareProfiles/x.yaml:6:1: error: field 'max_rat': unknown field 'max_rat' in a pump model (did you mean 'max_rate'?)"
    ),
    // REQ-CONFIG-MISSING-FIELD-01
    Edit(
      old: "max_rate: \"10 mL/min\"\n", new: "",
      error: "HardwareProfiles/x.yaml:1:1: error: field 'max_rate': missing in a pump model"),
    Edit(
      old: "  baud: 115200\n", new: "",
      error: "HardwareProfiles/x.yaml:22:3: error: field 'uart.baud': missing in the uart section"),
    // REQ-CONFIG-WRONG-TYPE-01
    Edit(
      old: "  baud: 115200", new: "  baud: \"115200\"",
      error:
        "HardwareProfiles/x.yaml:22:9: error: field 'uart.baud': expected an integer, got quoted text '115200'"
    ),
    Edit(
      old: "motor:\n  steps_per_ml: 5760\n  min_step_interval: \"500 µs\"", new: "motor: 5",
      error:
        "HardwareProfiles/x.yaml:8:8: error: field 'motor': expected the motor section (a mapping), got '5'"
    ),
    Edit(
      old: "max_rate: \"10 mL/min\"", new: "max_rate:\n  - 1",
      error:
        "HardwareProfiles/x.yaml:7:3: error: field 'max_rate': expected a flow rate (µL/h, mL/h, mL/min), got a sequence"
    ),
    Edit(
      old: "max_rate: \"10 mL/min\"", new: "max_rate: ~",
      error:
        "HardwareProfiles/x.yaml:6:11: error: field 'max_rate': expected a flow rate (µL/h, mL/h, mL/min), got null"
    ),
    Edit(
      old: "parity: none", new: "parity: mark",
      error:
        "HardwareProfiles/x.yaml:24:11: error: field 'uart.parity': unknown parity 'mark' (expected one of none, odd, even)"
    ),
    // REQ-CONFIG-UNITS-02 (through the loader)
    Edit(
      old: "max_rate: \"10 mL/min\"", new: "max_rate: 600",
      error:
        "HardwareProfiles/x.yaml:6:11: error: field 'max_rate': missing unit: expected a flow rate (µL/h, mL/h, mL/min), got '600'"
    ),
    Edit(
      old: "control_tick: \"10 ms\"", new: "control_tick: \"0.5 ms\"",
      error:
        "HardwareProfiles/x.yaml:20:15: error: field 'control_tick': '0.5 ms' is finer than the resolution of 1 ms"
    ),
    // REQ-PROFILE-CONSISTENCY-01
    Edit(
      old: "max_rate: \"10 mL/min\"", new: "max_rate: \"2000 mL/h\"",
      error:
        "HardwareProfiles/x.yaml:6:11: error: field 'max_rate': 2000 mL/h exceeds the mechanical maximum 1250 mL/h (motor.steps_per_ml 5760, motor.min_step_interval 500 µs)"
    ),
    Edit(
      old: "min_rate: \"0.1 mL/h\"", new: "min_rate: \"20 mL/min\"",
      error:
        "HardwareProfiles/x.yaml:6:11: error: field 'max_rate': 600 mL/h is below min_rate 1200 mL/h"
    ),
    Edit(
      old: "min_rate: \"0.1 mL/h\"", new: "min_rate: \"0.15 mL/h\"",
      error:
        "HardwareProfiles/x.yaml:5:11: error: field 'min_rate': 0.15 mL/h is not a multiple of rate_resolution 0.1 mL/h"
    ),
    Edit(
      old: "rate_resolution: \"0.1 mL/h\"", new: "rate_resolution: \"0 mL/h\"",
      error:
        "HardwareProfiles/x.yaml:7:18: error: field 'rate_resolution': must be greater than 0"
    ),
    Edit(
      old: "control_tick: \"10 ms\"", new: "control_tick: \"200 ms\"",
      error:
        "HardwareProfiles/x.yaml:20:15: error: field 'control_tick': 200 ms is outside 1 ms...100 ms"
    ),
    Edit(
      old: "watchdog_timeout: \"100 ms\"", new: "watchdog_timeout: \"10 ms\"",
      error:
        "HardwareProfiles/x.yaml:27:19: error: field 'watchdog_timeout': 10 ms must be longer than control_tick 10 ms"
    ),
    Edit(
      old: "max_audio_pause: \"120 s\"", new: "max_audio_pause: \"3 min\"",
      error:
        "HardwareProfiles/x.yaml:36:18: error: field 'max_audio_pause': 3 min is outside 1 ms...120 s"
    ),
    Edit(
      old: "  downstream: \"10 psi\"", new: "  downstream: \"21 psi\"",
      error:
        "HardwareProfiles/x.yaml:13:15: error: field 'occlusion.downstream': 21 psi is above the ECRI limit of 20 psi"
    ),
    Edit(
      old: "air_in_line_bubble: \"50 µL\"", new: "air_in_line_bubble: \"0 µL\"",
      error:
        "HardwareProfiles/x.yaml:14:21: error: field 'air_in_line_bubble': must be greater than 0"
    ),
    Edit(
      old: "  volume: \"1 mL\"", new: "  volume: \"60 mL\"",
      error:
        "HardwareProfiles/x.yaml:34:11: error: field 'low_reservoir.volume': 60 mL must be below reservoir_volume 60 mL"
    ),
    Edit(
      old: "id: test-pump", new: "id: Test_Pump",
      error:
        "HardwareProfiles/x.yaml:1:5: error: field 'id': 'Test_Pump' is not a valid id (use lowercase letters, digits and '-')"
    ),
    // REQ-CONFIG-MALFORMED-01
    Edit(
      old: "max_rate: \"10 mL/min\"", new: "max_rate: \"10 mL/min",
      error:
        "HardwareProfiles/x.yaml:7:19: error: malformed YAML: while parsing a block mapping at 1:1, did not find expected key"
    ),
    Edit(
      old: "name: Test pump", new: "id: again",
      error:
        "HardwareProfiles/x.yaml:1:1: error: duplicate key 'id' in a mapping (position of its first use)"
    ),
  ]

  @Test(
    "REQ-CONFIG-UNKNOWN-FIELD-01, REQ-CONFIG-MISSING-FIELD-01, REQ-CONFIG-WRONG-TYPE-01, REQ-PROFILE-CONSISTENCY-01: pump model errors",
    arguments: modelEdits)
  func modelErrors(edit: Edit) {
    #expect(Self.modelError(edit) == edit.error)
  }

  struct Malformed: Sendable, CustomTestStringConvertible {
    let yaml: String
    let error: String
    var testDescription: String { "\(yaml.debugDescription)" }
  }

  static let malformed: [Malformed] = [
    Malformed(
      yaml: "", error: "HardwareProfiles/x.yaml:1:1: error: empty document: expected a mapping"),
    Malformed(
      yaml: "- a\n- b\n",
      error: "HardwareProfiles/x.yaml:1:1: error: expected a pump model (a mapping), got a sequence"
    ),
    Malformed(
      yaml: "a: [1, 2\n",
      error:
        "HardwareProfiles/x.yaml:2:1: error: malformed YAML: while parsing a flow sequence at 1:4, did not find expected ',' or ']'"
    ),
    Malformed(
      yaml: "\t- x",
      error:
        "HardwareProfiles/x.yaml:1:1: error: malformed YAML: while scanning for the next token at 1:1, found character that cannot start any token"
    ),
    Malformed(
      yaml: "a: 1\n---\nb: 2\n",
      error:
        "HardwareProfiles/x.yaml:2:1: error: malformed YAML: expected a single document in the stream at 1:1, but found another document"
    ),
  ]

  @Test(
    "REQ-CONFIG-MALFORMED-01: malformed YAML reports Yams' line and column", arguments: malformed)
  func malformedYAML(c: Malformed) {
    do {
      _ = try PumpConfig.loadModel(yaml: c.yaml, file: Self.modelFile)
      Issue.record("loaded without error")
    } catch {
      #expect(error.description == c.error)
    }
  }

  static let libraryFile = "HardwareProfiles/drug-library.yaml"

  static let libraryEdits: [Edit] = [
    // REQ-DRUGLIB-DUPLICATE-ID-01
    Edit(
      old: "  - id: 2", new: "  - id: 1",
      error:
        "HardwareProfiles/drug-library.yaml:96:9: error: field 'entries[1].id': duplicate id 1 (already used by entries[0] at line 2)"
    ),
    // REQ-DRUGLIB-CARE-AREA-01
    Edit(
      old: "    care_area: acute_post_op\n    concentration",
      new: "    care_area: icu\n    concentration",
      error:
        "HardwareProfiles/drug-library.yaml:5:16: error: field 'entries[0].care_area': unknown care area 'icu' (expected one of acute_post_op, chronic_pain, paediatric)"
    ),
    // REQ-DRUGLIB-GUARDRAIL-ORDER-01
    Edit(
      old: "      upper_soft: \"25 mg/h\"", new: "      upper_soft: \"60 mg/h\"",
      error:
        "HardwareProfiles/drug-library.yaml:25:19: error: field 'entries[0].basal_rate.upper_hard': bounds out of order: upper_hard 50 mg/h is below upper_soft 60 mg/h (need lower_hard ≤ lower_soft ≤ upper_soft ≤ upper_hard)"
    ),
    Edit(
      old: "      upper_soft: \"25 mg/h\"", new: "      upper_sof: \"25 mg/h\"",
      error:
        "HardwareProfiles/drug-library.yaml:24:7: error: field 'entries[0].basal_rate.upper_sof': unknown field 'upper_sof' in a guardrail (did you mean 'upper_soft'?)"
    ),
    Edit(
      old: "      upper_soft: \"25 mg/h\"", new: "      upper_soft: \"25 mL/h\"",
      error:
        "HardwareProfiles/drug-library.yaml:24:19: error: field 'entries[0].basal_rate.upper_soft': expected a mass rate (µg/h, mg/h), got '25 mL/h'"
    ),
    Edit(
      old: "      upper_soft: \"25 mg/h\"\n", new: "",
      error:
        "HardwareProfiles/drug-library.yaml:22:7: error: field 'entries[0].basal_rate.upper_soft': missing in a guardrail"
    ),
    Edit(
      old: "      lower_hard: 1\n", new: "      lower_hard: \"1\"\n",
      error:
        "HardwareProfiles/drug-library.yaml:57:19: error: field 'entries[0].max_boluses_per_hour.lower_hard': expected an integer, got quoted text '1'"
    ),
    Edit(
      old: "      lower_hard: \"1 mg/mL\"", new: "      lower_hard: \"0 mg/mL\"",
      error:
        "HardwareProfiles/drug-library.yaml:7:19: error: field 'entries[0].concentration.lower_hard': must be greater than 0"
    ),
    Edit(
      old: "      lower_hard: \"5 min\"", new: "      lower_hard: \"5.0001 s\"",
      error:
        "HardwareProfiles/drug-library.yaml:52:19: error: field 'entries[0].lockout.lower_hard': '5.0001 s' is finer than the resolution of 1 ms"
    ),
    Edit(
      old: "  - id: 2", new: "  - id: 70000",
      error:
        "HardwareProfiles/drug-library.yaml:96:9: error: field 'entries[1].id': 70000 is out of range 0...65535"
    ),
    Edit(
      old: "entries:\n", new: "entries:\n  - 5\n",
      error:
        "HardwareProfiles/drug-library.yaml:2:5: error: field 'entries[0]': expected a drug-library entry (a mapping), got '5'"
    ),
  ]

  @Test(
    "REQ-DRUGLIB-DUPLICATE-ID-01, REQ-DRUGLIB-CARE-AREA-01, REQ-DRUGLIB-GUARDRAIL-ORDER-01: drug library errors",
    arguments: libraryEdits)
  func libraryErrors(edit: Edit) {
    do {
      _ = try PumpConfig.loadDrugLibrary(
        yaml: TestYAML.replacing(edit.old, with: edit.new, in: TestYAML.library),
        file: Self.libraryFile)
      Issue.record("loaded without error")
    } catch {
      #expect(error.description == edit.error)
    }
  }

  @Test("REQ-DRUGLIB-GUARDRAIL-ORDER-01: the test library itself loads")
  func libraryFixtureLoads() throws {
    let library = try PumpConfig.loadDrugLibrary(yaml: TestYAML.library)
    #expect(library.entries.map(\.entry.id) == [DrugEntryID(1), DrugEntryID(2)])
    #expect(library.entry(id: DrugEntryID(2))?.name == "Test 2")
    #expect(library.entry(id: DrugEntryID(3)) == nil)
  }

  static let careAreasFile = "HardwareProfiles/care-areas.yaml"

  static let careAreaEdits: [Edit] = [
    Edit(
      old: "  chronic_pain: *adult\n", new: "",
      error:
        "HardwareProfiles/care-areas.yaml:2:3: error: field 'care_areas.chronic_pain': missing in the care_areas mapping"
    ),
    Edit(
      old: "  chronic_pain: *adult\n", new: "  chronic_pain: *adult\n  icu: *adult\n",
      error:
        "HardwareProfiles/care-areas.yaml:14:3: error: field 'care_areas.icu': unknown care area 'icu' (expected one of acute_post_op, chronic_pain, paediatric)"
    ),
    Edit(
      old: "required: [sbp, dbp, hr]", new: "required: [sbp, dbp, temp]",
      error:
        "HardwareProfiles/care-areas.yaml:8:26: error: field 'care_areas.acute_post_op.required[2]': unknown vital 'temp' (expected one of sbp, dbp, hr, spo2, rr)"
    ),
    Edit(
      old: "dbp: {warning_high: 100, critical_high: 110}",
      new: "dbp: {warning_high: 120, critical_high: 110}",
      error:
        "HardwareProfiles/care-areas.yaml:4:10: error: field 'care_areas.acute_post_op.dbp': bounds out of order (need critical_low < warning_low < warning_high < critical_high)"
    ),
    Edit(
      old: "stale_after: \"5 s\"", new: "stale_after: \"5 mL\"",
      error:
        "HardwareProfiles/care-areas.yaml:11:18: error: field 'care_areas.acute_post_op.stale_after': expected a time (µs, ms, s, min, h, d), got '5 mL'"
    ),
  ]

  @Test("REQ-VITALS-POLICY-02: care-area errors", arguments: careAreaEdits)
  func careAreaErrors(edit: Edit) {
    do {
      _ = try PumpConfig.loadCareAreas(
        yaml: TestYAML.replacing(edit.old, with: edit.new, in: TestYAML.careAreas),
        file: Self.careAreasFile)
      Issue.record("loaded without error")
    } catch {
      #expect(error.description == edit.error)
    }
  }

  @Test("REQ-CONFIG-ERROR-FORMAT-01: errors without a position or field leave those parts out")
  func errorFormat() {
    #expect(
      ConfigError(file: "a.yaml", line: 0, column: 0, field: nil, message: "cannot read file")
        .description == "a.yaml: error: cannot read file")
    #expect(
      ConfigError(file: "a.yaml", line: 3, column: 7, field: "x.y", message: "bad").description
        == "a.yaml:3:7: error: field 'x.y': bad")
    #expect(
      throws: ConfigError(
        file: "/nonexistent/p.yaml", line: 0, column: 0, field: nil, message: "cannot read file")
    ) {
      try PumpConfig.loadModel(path: "/nonexistent/p.yaml")
    }
  }

  @Test("REQ-CONFIG-DIRECTORY-01: a model whose id differs from its file name is rejected")
  func directoryIDMismatch() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("pumpconfig-\(UInt64.random(in: 0...UInt64.max))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try TestYAML.model.write(toFile: dir + "/other-pump.yaml", atomically: true, encoding: .utf8)
    #expect(
      throws: ConfigError(
        file: dir + "/other-pump.yaml", line: 1, column: 5, field: "id",
        message: "'test-pump' must match the file name 'other-pump.yaml'")
    ) { try PumpConfig.loadDirectory(dir) }
    try FileManager.default.moveItem(
      atPath: dir + "/other-pump.yaml", toPath: dir + "/test-pump.yaml")
    #expect(
      throws: ConfigError(
        file: dir + "/drug-library.yaml", line: 0, column: 0, field: nil,
        message: "cannot read file")
    ) { try PumpConfig.loadDirectory(dir) }
  }

  /// Never crash: every prefix of each valid document, and each single-character corruption,
  /// either loads or throws a ConfigError with a position.
  @Test("REQ-CONFIG-NO-CRASH-01: truncated and corrupted documents never trap")
  func neverCrashes() {
    let docs = [TestYAML.model, TestYAML.careAreas, "entries:\n" + TestYAML.entry(id: 7)]
    let noise: [Character] = ["\"", ":", "-", "#", "{", "[", "&", "*", "!", "\t", "9", "µ", "\n"]
    var count = 0
    for (index, doc) in docs.enumerated() {
      let chars = Array(doc)
      for cut in stride(from: 0, to: chars.count, by: 3) {
        let variants = [
          String(chars[..<cut]),
          String(chars[..<cut]) + String(noise[cut % noise.count]) + String(chars[cut...]),
          String(chars[..<cut]) + String(chars[(cut + 1)...]),
        ]
        for text in variants {
          count += 1
          do {
            switch index {
            case 0: _ = try PumpConfig.loadModel(yaml: text)
            case 1: _ = try PumpConfig.loadCareAreas(yaml: text)
            default: _ = try PumpConfig.loadDrugLibrary(yaml: text)
            }
          } catch {
            #expect(error.file == "<string>")
          }
        }
      }
    }
    #expect(count > 1000)
    // Deep nesting stops at libyaml's nesting limit; aliases are not expanded into copies.
    var laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in 1...9 {
      laughs +=
        "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
        + "]\n"
    }
    for text in [
      String(repeating: "[", count: 10_000), String(repeating: "- ", count: 10_000) + "x",
      "name: " + String(repeating: "{a: ", count: 10_000), laughs + "name: *a9\n",
    ] {
      #expect(throws: ConfigError.self) { try PumpConfig.loadModel(yaml: text) }
    }
  }
}
