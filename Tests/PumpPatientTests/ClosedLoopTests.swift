import PumpConfig
import PumpCore
import PumpPatient
import PumpPatientLoop
import Testing

@Suite struct ClosedLoopTests {
  static let config: PumpConfig.Configuration? = try? PumpConfig.loadDirectory(
    "\(DocFile.root)/HardwareProfiles")

  /// The ward prescription of the tests (KetaPumpTestSupport.wardRx): 5 mg/mL, basal 5 mg/h,
  /// 2 mg boluses, 10 min lockout, 4 an hour, 15 mg/1 h, 40 mg/4 h.
  static let wardRx = Prescription(
    drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
    patientWeight: .kilograms(70), basalRate: .milligramsPerHour(5), loadingDose: .zero,
    bolusDose: .milligrams(2), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
    maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
    vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))

  static func ward(seed: UInt64, monitor: MonitorSettings = .clean) throws -> ClosedLoop {
    let config = try #require(config)
    let model = try #require(config.model(id: "syringe-pca-60ml"))
    let patient = Patient(
      PatientProfile.adult70kg.individual(seed: seed), monitor: monitor, seed: seed)
    return try ClosedLoop.started(
      profile: model.profile, formulary: config.formulary, prescription: wardRx,
      patient: patient)
  }

  @Test
  func
    `REQ-PAT-LOOP-01 REQ-PAT-DEM-01 a 24-h ward course: delivered drug in, vitals and presses out`()
    throws
  {
    var loop = try Self.ward(seed: 21)
    var maxCe = 0.0
    var pressesSent: Int64 = 0
    loop.run(until: .hours(24)) { l in maxCe = max(maxCe, l.patient.vitals.effectSite) }
    pressesSent = loop.patient.presses
    let status = loop.rig.controller.status
    // The patient got exactly what the mechanism moved (floored to whole µg).
    #expect(Double(loop.handedOver) == loop.patient.pk.administered)
    #expect(loop.handedOver == loop.deliveredByMechanism)
    #expect(abs(loop.handedOver - status.deliveredTotal.rawValue) <= 10)
    // Basal 5 mg/h for 24 h plus boluses: at least 120 mg went in, and drug is in the body.
    #expect(loop.handedOver >= 120_000)
    #expect(maxCe > 20 && maxCe < 400)
    // Every press reached the controller; some fell in the lockout (demands > grants).
    #expect(status.bolusDemands == pressesSent)
    #expect(status.bolusGrants > 0 && status.bolusDemands > status.bolusGrants)
    #expect(loop.samplesSent >= 86_000)
    print(
      "figure: ward 24 h delivered \(loop.handedOver) µg, demands \(status.bolusDemands), grants \(status.bolusGrants), max Ce \(maxCe), mode \(loop.rig.controller.mode)"
    )
    #expect(loop.rig.controller.mode.mayDeliver)
    // Reproducible from the seed.
    var again = try Self.ward(seed: 21)
    again.run(until: .hours(24))
    #expect(again.handedOver == loop.handedOver)
    #expect(again.rig.controller.status.bolusGrants == status.bolusGrants)
    #expect(again.patient.vitals == loop.patient.vitals)
  }
}

extension ClosedLoopTests {
  @Test
  func
    `REQ-PAT-LOOP-01 an arterial-line dropout longer than stale_after stops the pump through the interlock`()
    throws
  {
    // One dropout per channel-hour of 20 s: SBP and DBP go stale (5 s) together, two warnings.
    let m = MonitorSettings(spikesPerHour: 0, dropoutsPerHour: 1, dropoutDuration: .seconds(20))
    var loop = try Self.ward(seed: 5, monitor: m)
    loop.run(until: .hours(12))
    let stoppedAt = loop.firstInterlockStop
    #expect(stoppedAt != nil)
    print(
      "figure: 1 dropout/channel-h of 20 s: interlock stop at \(stoppedAt.map { $0.rawValue / 1000 } ?? -1) s"
    )
  }
}
