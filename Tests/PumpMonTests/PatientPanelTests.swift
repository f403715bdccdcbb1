import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHost
import PumpProtocol
import Testing

/// The simulated patient on the host side, end to end: a real `pumpsim run --patient` on a pty,
/// `pumpmon send … patient` (text and JSON) and the dashboard's patient panel in tmux; and a
/// pumpsim without a patient, where the panel stays away and nothing is repeated.
@Suite("pumpmon and the simulated patient", .serialized)
struct PatientPanelTests {
  static let adult = "\(repoRoot)/HardwareProfiles/patients/adult-70kg.yaml"
  static let withPatient = [
    "--telemetry-hz", "0", "--patient", adult, "--patient-seed", "7", "--patient-monitor",
    "clean",
  ]

  @Test(
    "REQ-PROTO-PATIENT-05: pumpmon send patient prints the patient's state (text and --json) as PumpClient.patient() reads it; the dashboard shows the patient panel (Cp, Ce, pain, presses, true vs monitored HR/SBP/DBP)",
    .timeLimit(.minutes(2)))
  func panelAndSend() throws {
    let bench = try Bench("KP-MON-P1", extra: Self.withPatient)
    try bench.startTherapy()  // virtual clock: pump and patient time stand still between requests
    try bench.as_(.service) { try $0.request(.clock(.advance(.minutes(10)))) }
    let direct = try bench.as_(.clinician) { try $0.patient() }
    let p = try #require(direct)
    #expect(p.profileID == "adult-70kg")
    #expect(p.seed == 7)
    // The clock went virtual a few real milliseconds after boot: the grid is offset by those.
    #expect((599_000...601_000).contains(p.time.rawValue))
    #expect(p.plasmaTenths > 0 && p.effectSiteTenths > 0)
    let demands = try bench.status().bolusDemands
    #expect(p.presses == demands)

    let text = try pumpmon(["send", bench.keys.deviceId, "patient"], runDir: bench.runDir)
    #expect(text.status == 0, "\(text.err)")
    #expect(text.out.contains("ACK PATIENT \(Describe.patient(p))"), "\(text.out)")
    let json = try pumpmon(
      ["send", bench.keys.deviceId, "patient", "--json"], runDir: bench.runDir)
    #expect(json.status == 0, "\(json.err)")
    let line = try #require(json.out.split(separator: "\n").first { $0.contains(#""PATIENT""#) })
    let o = try #require(
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    let patient = try #require(o["patient"] as? [String: Any])
    #expect(patient["profile"] as? String == "adult-70kg")
    #expect((patient["seed"] as? NSNumber)?.int64Value == 7)
    #expect((patient["cp_x10"] as? NSNumber)?.int64Value == p.plasmaTenths)
    #expect((patient["sbp_x10"] as? NSNumber)?.int64Value == p.sbpTenths)
    #expect((patient["t_ms"] as? NSNumber)?.int64Value == p.time.rawValue)

    let tmux = try Tmux(
      command: DashboardTests.command(bench, "--key \(bench.keys.device) --role clinician"))
    defer { tmux.kill() }
    let (ok, screen) = tmux.waitFor {
      $0.contains("simulated patient adult-70kg seed 7") && $0.contains("true/monitor")
    }
    #expect(ok, "\(screen)")
    func d(_ t: Int64) -> String { "\(t / 10).\(t % 10)" }
    #expect(screen.contains("Cp \(d(p.plasmaTenths))  Ce \(d(p.effectSiteTenths)) ng/mL"))
    #expect(screen.contains("presses \(p.presses)"))
    #expect(screen.contains("HR \(d(p.hrTenths))/"))
    #expect(screen.contains("SBP \(d(p.sbpTenths))/"))
    tmux.send("q")
    #expect(tmux.waitFor { $0.contains("EXITED 0") }.0)
    #expect(bench.sim.stop() == 0)
  }

  @Test(
    "REQ-PROTO-PATIENT-05: without a patient, pumpmon send patient fails with NAK 17 no-patient; the dashboard shows no panel and no error, and asks PATIENT once per connection, not at every refresh",
    .timeLimit(.minutes(2)))
  func noPatientNoPanel() throws {
    let bench = try Bench("KP-MON-P2")
    try bench.startTherapy()
    #expect(try bench.as_(.clinician) { try $0.patient() } == nil)
    let send = try pumpmon(["send", bench.keys.deviceId, "patient"], runDir: bench.runDir)
    #expect(send.status != 0)
    #expect(send.err.contains("NAK 17 no-patient: no simulated patient"), "\(send.err)")

    let log = "\(bench.runDir)/traffic.log"
    let tmux = try Tmux(
      command: DashboardTests.command(
        bench, "--key \(bench.keys.device) --role clinician --log \(log)"))
    defer { tmux.kill() }
    var (ok, screen) = tmux.waitFor { $0.contains("MODE INFUSING(BASAL)") }
    #expect(ok, "\(screen)")
    // Several refresh periods (500 ms each) later: one PATIENT on the wire, one NAK, no panel.
    (ok, screen) = tmux.waitFor(4) { _ in false }
    #expect(!screen.contains("simulated patient"))
    #expect(!screen.contains("no-patient"))
    tmux.send("q")
    #expect(tmux.waitFor { $0.contains("EXITED 0") }.0)
    let traffic = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    let asked = traffic.components(separatedBy: "$PATIENT,").count - 1
    #expect(asked == 1, "\(traffic.suffix(2000))")
    #expect(bench.sim.stop() == 0)
  }
}
