import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import Testing

@Suite("pumpmon vitals", .serialized)
struct VitalsFeedTests {
  @Test(
    "REQ-MON-VIT-01: vitals --from CSV feeds a recorded series as the vitals role at --rate times its pace; a bad CSV is reported as file:line",
    .timeLimit(.minutes(1)))
  func feed() throws {
    let bench = try Bench("KP-MON-V1")
    let dir = temporaryDirectory("csv")
    try """
    Time;Solar8000/NIBP_SYS;Solar8000/NIBP_DIA;Solar8000/HR;SpO2;RR
    0;120;70;78;98;14
    2;125;72;80;;15
    4;131.5;75;83;97;-
    """.write(toFile: "\(dir)/v.csv", atomically: true, encoding: .utf8)
    let start = Date()
    var r = try pumpmon(
      [
        "vitals", bench.keys.deviceId, "--from", "\(dir)/v.csv", "--key", bench.keys.device,
        "--rate", "4", "--json",
      ], runDir: bench.runDir)
    #expect(r.status == 0, "\(r.err)")
    #expect(Date().timeIntervalSince(start) >= 0.9)
    let replies = (r.jsonLines ?? []).filter { $0["kind"] as? String == "VITALS" }
    #expect(replies.count == 3)
    let t = try bench.status()
    #expect(t.vitals.sbp == 132 && t.vitals.hr == 83 && t.vitals.spo2 == 97)
    try "time,hr\n0,80\nsoon,81\n".write(
      toFile: "\(dir)/bad.csv", atomically: true, encoding: .utf8)
    r = try pumpmon(
      ["vitals", bench.keys.deviceId, "--from", "\(dir)/bad.csv", "--key", bench.keys.device],
      runDir: bench.runDir)
    #expect(r.status == 64)
    #expect(r.err.contains("\(dir)/bad.csv:3: expected a time"))
    #expect(bench.sim.stop() == 0)
  }
}
