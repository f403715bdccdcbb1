import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpNoise
import PumpReplay
import PumpTrace
import Testing

@Suite struct TraceFuzzTests {
  /// Bytes mutations draw from: syntax characters, digits, letters, multi-byte UTF-8 and
  /// control bytes.
  static let alphabet: [UInt8] =
    Array("0123456789:+-.=()#,\"/ \t\n\rsminhdSBPHRexpctalrmvu≤≥µ".utf8)
    + [0x00, 0xFF, 0xC3, 0x80, 0xE2, 0x89]

  @Test("REQ-TRACE-PARSE-02: seeded random mutations of the corpus never crash the parser")
  func mutations() throws {
    let dir = "\(repoRoot)/Tests/Traces"
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
      $0.hasSuffix(".trace")
    }.sorted()
    var rng = SeededGenerator(seed: 0x6B65_7461)
    var parsed = 0
    var rejected = 0
    for round in 0..<3000 {
      var bytes = [UInt8](
        FileManager.default.contents(atPath: "\(dir)/\(files[round % files.count])")!)
      for _ in 0...(rng.next() % 6) {
        let at = Int(rng.next() % UInt64(max(bytes.count, 1)))
        switch rng.next() % 5 {
        case 0: if !bytes.isEmpty { bytes.remove(at: at) }
        case 1: bytes.insert(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))], at: at)
        case 2: if !bytes.isEmpty { bytes[at] = UInt8(truncatingIfNeeded: rng.next()) }
        case 3:
          let n = min(Int(rng.next() % 40), bytes.count - at)
          bytes.insert(contentsOf: bytes[at..<(at + n)], at: at)
        default:
          let n = min(Int(rng.next() % 40), bytes.count - at)
          bytes.removeSubrange(at..<(at + n))
        }
      }
      do {
        let t = try TraceParser.parse(bytes: bytes, file: "fuzz.trace") { _ in
          Array("time,HR\n1,80\n".utf8)
        }
        _ = try? TraceSetup.bind(t, to: shippedConfiguration)
        parsed += 1
      } catch {
        #expect(error.line >= 1 && error.column >= 1)
        rejected += 1
      }
    }
    // Random bytes, too.
    for n in 0..<500 {
      let bytes = (0..<(n % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      _ = try? TraceParser.parse(bytes: bytes)
      _ = try? VitalsCSV.parse(bytes: bytes, file: "r.csv", start: .zero)
    }
    #expect(parsed > 0 && rejected > 0)
  }
}
