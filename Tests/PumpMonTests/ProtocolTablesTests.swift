import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

/// docs/PROTOCOL.md §5.1 lists every enumeration that travels on the wire. The block between
/// its markers is generated from the code by `ProtocolTables.markdown()`; this test fails when
/// the two differ (run with KETAPUMP_UPDATE_DOCS=1 to rewrite the block), and when an enum value
/// has no host name.
@Suite struct ProtocolTablesTests {
  static let begin = "<!-- BEGIN ENUMS (generated from the code by ProtocolTablesTests) -->"
  static let end = "<!-- END ENUMS -->"

  @Test(
    "REQ-PROTO-ENUM-01: the enumeration tables in docs/PROTOCOL.md are exactly what the code puts on the wire, and every value has a host name"
  )
  func tablesMatchCode() throws {
    let path = repoRoot + "/docs/PROTOCOL.md"
    let doc = try String(contentsOfFile: path, encoding: .utf8)
    let start = try #require(doc.range(of: Self.begin), "no BEGIN ENUMS marker")
    let stop = try #require(doc.range(of: Self.end), "no END ENUMS marker")
    let current = String(doc[start.upperBound..<stop.lowerBound])
    let generated = "\n" + ProtocolTables.markdown()
    if current != generated, ProcessInfo.processInfo.environment["KETAPUMP_UPDATE_DOCS"] == "1" {
      try (doc[..<start.upperBound] + generated + doc[stop.lowerBound...])
        .write(toFile: path, atomically: true, encoding: .utf8)
      return
    }
    #expect(current == generated, "docs/PROTOCOL.md §5.1 is stale; expected:\n\(generated)")
    #expect(!generated.contains("| ? |"), "a value without a host name")
  }

  @Test("REQ-PROTO-ENUM-02: the NAK code table in §5 names every NakCode with its number")
  func nakTable() throws {
    let doc = try String(contentsOfFile: repoRoot + "/docs/PROTOCOL.md", encoding: .utf8)
    for code in NakCode.allCases {
      let row = String(format: "| %02d | %@ |", code.rawValue, code.name)
      #expect(doc.contains(row), "missing §5 row \(row)")
    }
  }
}

/// The wire enumerations as markdown tables.
enum ProtocolTables {
  static func rows<T>(_ values: [(UInt8, T)], _ columns: (T) -> [String]) -> String {
    values.map { v, t in "| \(v) | " + columns(t).joined(separator: " | ") + " |" }
      .joined(separator: "\n")
  }

  /// Every value 0…255 that `make` accepts, in order.
  static func all<T>(_ make: (UInt8) -> T?) -> [(UInt8, T)] {
    (0...255).compactMap { raw in make(UInt8(raw)).map { (UInt8(raw), $0) } }
  }

  static func markdown() -> String {
    var s = ""
    s += "#### Care areas (PROGRAM field 2)\n\n| value | name |\n|---|---|\n"
    s += rows(all(CareArea.init(rawValue:))) { [WireNames.name($0, in: WireNames.careAreas)] }
    s += "\n\n#### Controller rejections (`NAK 14` detail)\n\n"
    s += "| value | in the NAK reason | host name |\n|---|---|---|\n"
    s += rows(all(Rejection.init(rawValue:))) { ["`\($0)`", WireNames.name($0)] }
    s += "\n\n#### Bolus denials (`NAK 15` detail, `EVT BOLUSNO` reason)\n\n"
    s += "| value | in the NAK reason | host name |\n|---|---|---|\n"
    s += rows(all(BolusDenial.init(rawValue:))) { ["`\($0)`", WireNames.name($0)] }
    s += "\n\n#### Alarm codes (`EVT ALARM`, `ALMACK`, `ALMCLR`, telemetry field 25)\n\n"
    s += "| value | host name | priority | action |\n|---|---|---|---|\n"
    s += rows(all(AlarmCode.init(rawValue:))) {
      [WireNames.name($0), WireNames.name($0.priority), "\($0.action)"]
    }
    s += "\n\n#### Alarm priorities\n\n| value | name |\n|---|---|\n"
    s += rows(all(AlarmPriority.init(rawValue:))) { [WireNames.name($0)] }
    s += "\n\n#### Modes (telemetry field 1, `EVT MODE`) and their sub-codes (field 2)\n\n"
    s += "| code | mode | sub-code |\n|---|---|---|\n"
    s += rows(all { Mode(code: $0, subCode: 0) ?? Mode(code: $0, subCode: 1) }) {
      let name = WireNames.name($0)
      let base = name.split(separator: "(").first.map(String.init) ?? name
      switch $0 {
      case .infusing: return [base, "infusion phase"]
      case .paused: return [base, "pause reason"]
      case .fault: return [base, "fault code"]
      default: return [base, "0"]
      }
    }
    s += "\n\n#### Infusion phases (sub-code of mode 3)\n\n| value | name |\n|---|---|\n"
    s += rows(all(InfusionPhase.init(rawValue:))) { [WireNames.name($0, in: WireNames.phases)] }
    s += "\n\n#### Pause reasons (sub-code of mode 4)\n\n| value | name |\n|---|---|\n"
    s += rows(all(PauseReason.init(rawValue:))) {
      [WireNames.name($0, in: WireNames.pauseReasons)]
    }
    s +=
      "\n\n#### Fault codes (sub-code of mode 8, `INJECT FAULT`)\n\n| value | name |\n|---|---|\n"
    s += rows(all(FaultCode.init(rawValue:))) { [WireNames.name($0, in: WireNames.allFaults)] }
    s += "\n\n#### Vitals (bit numbers of the `EVT INTERLOCK` mask)\n\n| bit | vital |\n|---|---|\n"
    s += rows(all(Vital.init(rawValue:))) { ["\($0)"] }
    s += "\n\n#### Roles (`LOGIN` field 1) and who may send each request kind\n\n"
    s += "| kind | who |\n|---|---|\n"
    s += RequestKind.allCases.map { k -> String in
      let who: String =
        switch k.permission {
        case .link: "anyone (link)"
        case .readOnly: "anyone (read-only, also as a console line)"
        case .anyAuthenticated: "any logged-in role"
        case .roles(let set):
          Role.allCases.filter { set.contains($0) }.map(\.rawValue).joined(separator: ", ")
        }
      return "| `\(k.rawValue)` | \(who) |"
    }.joined(separator: "\n")
    return s + "\n"
  }
}
