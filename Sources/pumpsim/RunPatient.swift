import Foundation
import Logging
import PumpConfig
import PumpCore
import PumpFirmware
import PumpPatient

/// `pumpsim run --patient`: loading the patient and attaching it to the firmware as its world.
extension Run {
  /// The default `--patient-seed` (printed at start).
  static let defaultPatientSeed: UInt64 = 1

  /// Loads the patient file; an error names file:line:column and nothing has been created yet.
  func loadPatient(_ path: String) throws -> PatientProfile {
    do { return try PumpConfig.loadPatient(path: path) } catch { throw Failure("\(error)") }
  }

  /// Attaches the simulated patient (resumed from the state directory when its state is there)
  /// and logs how it came up. Its reports are log lines on stderr (JSON lines with --json), never
  /// on stdout: a host reads stdout only for the ready and stopped lines, and a day-long
  /// `CLOCK ADVANCE` would fill an unread pipe and block the pump.
  func attachPatient(_ profile: PatientProfile?, to fw: Firmware, logger: Logger) {
    guard let profile else { return }
    let seed = patientSeed ?? Self.defaultPatientSeed
    let monitor: MonitorSettings = patientMonitor == "clean" ? .clean : MonitorSettings()
    let json = self.json
    let world = PatientWorld(
      profile: profile, seed: seed, monitor: monitor, firmware: fw, monoMillis: monotonicMillis()
    ) { report in
      FileHandle.standardError.write(Data((Self.line(report, json: json) + "\n").utf8))
    }
    logger.notice("\(world.startNote)")
    fw.attach(world)
  }

  /// One patient line: Cp and Ce in ng/mL, pain (NRS), HR, SBP, DBP (true values, not the
  /// monitor's), presses and grants so far.
  static func line(_ r: PatientReport, json: Bool) -> String {
    let v = r.vitals
    func f(_ x: Double) -> String { String(format: "%.1f", x) }
    if json {
      var s =
        #"{"event":"patient","t":\#(r.t.rawValue),"reason":"\#(r.reason.rawValue)","cp":\#(f(v.plasma)),"ce":\#(f(v.effectSite)),"pain":\#(f(v.pain)),"hr":\#(f(v.hr)),"sbp":\#(f(v.sbp)),"dbp":\#(f(v.dbp)),"presses":\#(r.presses),"grants":\#(r.grants)"#
      if let g = r.granted { s += #","granted":\#(g)"# }
      return s + "}"
    }
    let what = r.granted.map { $0 ? " press granted" : " press denied" } ?? ""
    return
      "pumpsim: patient t=\(r.t.rawValue) ms Cp \(f(v.plasma)) Ce \(f(v.effectSite)) ng/mL pain \(f(v.pain)) HR \(f(v.hr)) BP \(f(v.sbp))/\(f(v.dbp)) presses \(r.presses) grants \(r.grants)\(what)"
  }
}
