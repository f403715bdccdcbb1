import Foundation
import KetaPumpTestSupport
import PumpHost
import Testing

@Suite("pumpmon record", .serialized)
struct RecordTests {
  @Test(
    "REQ-MON-REC-01: record writes a trace (docs/TRACES.md): header from the device and the prescription programmed, commands as actions, expectations derived from events",
    .timeLimit(.minutes(1)))
  func recordTrace() throws {
    let bench = try Bench("KP-MON-REC1")
    let dir = temporaryDirectory("rec")
    try """
    role service
    clock mode virtual
    role vitals
    vitals sbp=125 dbp=75 hr=80 spo2=97 rr=14
    role clinician
    program template=ward-adult basal=6mg/h bolus=2mg lockout=15min
    start
    try rate 7mg/h
    role patient
    bolus
    try bolus
    role service
    inject downstream 12psi
    clock advance 30s
    """.write(toFile: "\(dir)/s.txt", atomically: true, encoding: .utf8)
    let r = try pumpmon(
      [
        "record", bench.keys.deviceId, "--key", bench.keys.device, "--out", "\(dir)/s.trace",
        "--script", "\(dir)/s.txt", "--duration", "500ms",
      ], runDir: bench.runDir)
    #expect(r.status == 0, "\(r.err)")
    let trace = try String(contentsOfFile: "\(dir)/s.trace", encoding: .utf8)
    let body = trace.split(separator: "\n").map(String.init)
    #expect(trace.contains("from device KP-MON-REC1"))
    for header in [
      "profile: syringe-pca-60ml", "basal: 6 mg/h", "lockout: 15min", "start: idle",
      "limit-1h: 15 mg",
    ] {
      #expect(body.contains(header), "\(header)\n\(trace)")
    }
    func has(_ suffix: String) -> Bool {
      body.contains {
        $0.range(of: #"^\d+(\.\d+)?s "#, options: .regularExpression) != nil && $0.hasSuffix(suffix)
      }
    }
    for line in [
      " vitals SBP=125 DBP=75 HR=80 SpO2=97 RR=14", " program", " start", " expect accepted",
      " rate 7 mg/h", " expect rejected(rate-increase-too-soon)", " press",
      " expect bolus granted",
      " expect bolus denied(bolus-in-progress)", " inject pressure downstream 12 psi",
      " expect alarm occlusion-downstream priority high within 2s", " clock advance 30s",
    ] {
      #expect(has(line), "\(line)\n\(trace)")
    }
    #expect(body.contains { $0.contains("expect mode infusing(basal) at ") })
    #expect(bench.sim.stop() == 0)
  }
}
