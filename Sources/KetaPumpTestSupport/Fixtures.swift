import Foundation
import PumpConfig
import PumpCore

/// The repository root (this file is Sources/KetaPumpTestSupport/Fixtures.swift).
public let repoRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()

/// The shipped HardwareProfiles directory, loaded once.
public let shippedConfiguration: PumpConfig.Configuration = {
  do { return try PumpConfig.loadDirectory("\(repoRoot)/HardwareProfiles") } catch {
    fatalError("cannot load HardwareProfiles: \(error)")
  }
}()

/// The ward PCA prescription of the tests: ketamine 5 mg/mL, basal 5 mg/h, 2 mg boluses at
/// 60 mL/h, 10 min lockout, at most 4 an hour, 15 mg/1 h and 40 mg/4 h limits.
public let wardRx = Prescription(
  drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
  patientWeight: .kilograms(70), basalRate: .milligramsPerHour(5), loadingDose: .zero,
  bolusDose: .milligrams(2), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
  maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
  vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))

/// Calm vitals (no interlock, no warning).
public let calmVitals = VitalsSample(sbp: 125, dbp: 75, hr: 80)
