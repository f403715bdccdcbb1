import PumpCore
import Testing

@testable import PumpPatient

/// An independent oracle: the same ODEs written out term by term, integrated with classic RK4.
private struct RK4Oracle {
  let p: PKParameters
  var x = [0.0, 0.0, 0.0, 0.0]  // A1, A2, A3 (µg), Ce (ng/mL)

  func derivative(_ y: [Double], input u: Double) -> [Double] {
    let c1 = y[0] / p.v1
    return [
      u - p.k10 * y[0] - p.k12 * y[0] + p.k21 * y[1] - p.k13 * y[0] + p.k31 * y[2],
      p.k12 * y[0] - p.k21 * y[1],
      p.k13 * y[0] - p.k31 * y[2],
      p.ke0 * (c1 - y[3]),
    ]
  }

  mutating func run(minutes: Double, rate u: Double, h: Double) {
    let n = Int((minutes / h).rounded())
    let dt = minutes / Double(n)
    for _ in 0..<n {
      let k1 = derivative(x, input: u)
      let k2 = derivative(zip(x, k1).map { $0 + dt / 2 * $1 }, input: u)
      let k3 = derivative(zip(x, k2).map { $0 + dt / 2 * $1 }, input: u)
      let k4 = derivative(zip(x, k3).map { $0 + dt * $1 }, input: u)
      for i in 0..<4 { x[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
    }
  }
}

@Suite struct PharmacokineticsTests {
  @Test func `REQ-PAT-PK-01 the published parameter values are reproduced`() {
    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-12) -> Bool {
      abs(a - b) <= rel * max(abs(b), 1e-300)
    }
    // Domino 1982 (per kg, 3 compartments).
    let d = PKModel.domino.parameters(weightKg: 70)
    #expect(d.compartments == 3)
    #expect(close(d.v1, 0.063 * 70))
    for (got, want) in [
      (d.k10, 0.4381), (d.k12, 0.5921), (d.k13, 0.5900), (d.k21, 0.2470), (d.k31, 0.0146),
      (d.ke0, 0.652),
    ] {
      #expect(close(got, want))
    }
    // Clements & Nimmo 1981.
    let c = PKModel.clements.parameters(weightKg: 70)
    #expect(c.compartments == 2)
    #expect(close(c.v1, 1.7522 * 70))
    for (got, want) in [(c.k10, 0.0109), (c.k12, 0.0186), (c.k21, 0.0137), (c.ke0, 5.2)] {
      #expect(close(got, want))
    }
    // Hijazi 2003: the microconstants, and the paper's own CL 36.0 mL/min/kg, t½β 4.9 h,
    // Vβ 16.0 L/kg (Vβ = CL/β; the rounded constants give 15.4).
    let h = PKModel.hijazi.parameters(weightKg: 70)
    #expect(close(h.v1, 1.08 * 70))
    for (got, want) in [(h.k10, 0.0333), (h.k12, 0.0088), (h.k21, 0.0030), (h.ke0, 4.773)] {
      #expect(close(got, want))
    }
    #expect(abs(h.cl * 1000 / 70 - 36.0) < 0.05)
    let sum = h.k10 + h.k12 + h.k21
    let beta = (sum - (sum * sum - 4 * h.k10 * h.k21).squareRoot()) / 2
    #expect(abs(0.693_147_180_56 / beta / 60 - 4.9) < 0.05)
    #expect(abs(h.cl / beta / 70 - 16.0) / 16.0 < 0.05)
    // Herd 2007 and Hornik 2018: per 70 kg values at 70 kg, allometric 0.75 on clearances.
    for (m, v1, v2, cl, q) in [
      (PKModel.herd, 38.7, 102.0, 90.0, 215.0), (PKModel.hornik, 32.8, 152.0, 38.9, 54.9),
    ] {
      let a = m.parameters(weightKg: 70)
      #expect(close(a.v1, v1) && close(a.v2, v2))
      #expect(close(a.cl * 60, cl) && close(a.q2 * 60, q))
      let child = m.parameters(weightKg: 20)
      let size = 20.0 / 70
      #expect(close(child.v1, v1 * size) && close(child.v2, v2 * size))
      #expect(
        abs(child.cl * 60 - cl * (20.0 / 70).squareRoot() * (20.0 / 70).squareRoot().squareRoot())
          < 1e-9 * cl)  // (20/70)^0.75
      #expect(close(child.k10, child.cl / child.v1))
    }
    #expect(PKModel.herd.parameters(weightKg: 70).ke0 == 2.995)
    #expect(PKModel.hornik.parameters(weightKg: 70).ke0 == 4.212)
  }

  @Test(arguments: PKModel.allCases)
  func `REQ-PAT-PK-02 the exact solution agrees with fine-step RK4 within 0.1 %`(model: PKModel) {
    let w = PKVerification.weightKg(model)
    let p = model.parameters(weightKg: w)
    var worst = 0.0
    // Bolus: exact vs RK4 from the same initial amount.
    var exact = Pharmacokinetics(parameters: p)
    exact.bolus(micrograms: 500 * w)
    var oracle = RK4Oracle(p: p)
    oracle.x[0] = 500 * w
    var t = 0.0
    for m in PKVerification.minutes {
      exact.advance(minutes: m - t, micrograms: 0)
      oracle.run(minutes: m - t, rate: 0, h: 0.002)
      t = m
      worst = max(worst, abs(exact.plasma - oracle.x[0] / p.v1) / (oracle.x[0] / p.v1))
      worst = max(worst, abs(exact.effectSite - oracle.x[3]) / oracle.x[3])
    }
    // Infusion 0.25 mg/kg/h for 4 h, then off.
    var exactInf = Pharmacokinetics(parameters: p)
    var oracleInf = RK4Oracle(p: p)
    let rate = 250 * w / 60
    t = 0
    for m in PKVerification.minutes {
      let on = max(min(m, 240) - t, 0)
      if on > 0 {
        exactInf.advance(minutes: on, micrograms: rate * on)
        oracleInf.run(minutes: on, rate: rate, h: 0.002)
      }
      let off = m - max(t, 240)
      if off > 0 {
        exactInf.advance(minutes: off, micrograms: 0)
        oracleInf.run(minutes: off, rate: 0, h: 0.002)
      }
      t = m
      let c = oracleInf.x[0] / p.v1
      worst = max(worst, abs(exactInf.plasma - c) / c)
      worst = max(worst, abs(exactInf.effectSite - oracleInf.x[3]) / oracleInf.x[3])
    }
    print("figure: \(model) exact vs RK4 worst relative difference \(worst)")
    #expect(worst <= 1e-3, "\(model): worst relative difference \(worst)")
    // The figure the doc quotes is far inside the requirement.
    #expect(worst <= 1e-8, "\(model): worst relative difference \(worst)")
  }

  @Test(arguments: PKModel.allCases)
  func `REQ-PAT-PK-03 mass balance holds to 1e-9 over 24 h of 1 s steps`(model: PKModel) {
    var pk = Pharmacokinetics(parameters: model.parameters(weightKg: 70))
    var g = PatientRandom(seed: 3)
    var worst = 0.0
    for s in 0..<86_400 {
      // A basal trickle with 2 mg boluses over 2 min every 20 min, in whole µg per second.
      let bolus = s % 1200 < 120 ? 16 : 0
      pk.advance(by: .seconds(1), delivered: Micrograms(Int64(1 + bolus + Int(g.next() % 2))))
      if s % 3600 == 3599 {
        let err = abs(pk.administered - pk.inBody - pk.eliminated) / pk.administered
        worst = max(worst, err)
      }
    }
    print("figure: \(model) mass balance worst relative error \(worst)")
    #expect(worst <= 1e-9, "\(model): mass balance error \(worst)")
    #expect(pk.eliminated > 0 && pk.a2 > 0)
  }

  @Test(arguments: PKModel.allCases)
  func `REQ-PAT-PK-04 1 s, 10 s and 60 s steps give the same concentrations`(model: PKModel) {
    let p = model.parameters(weightKg: 70)
    var runs: [[Double]] = []
    for step in [1, 10, 60] {
      var pk = Pharmacokinetics(parameters: p)
      var out: [Double] = []
      for second in stride(from: 0, to: 6 * 3600, by: step) {
        // 0.25 mg/kg/h for 4 h (17,500 µg/h), then nothing: the drug in each step.
        let on = second < 4 * 3600 ? 17_500.0 / 3600 * Double(step) : 0
        pk.advance(minutes: Double(step) / 60, micrograms: on)
        if (second + step) % 60 == 0 { out.append(pk.plasma) }
      }
      runs.append(out)
    }
    var worst = 0.0
    for i in runs[0].indices {
      worst = max(worst, abs(runs[1][i] - runs[0][i]) / runs[0][i])
      worst = max(worst, abs(runs[2][i] - runs[0][i]) / runs[0][i])
    }
    print("figure: \(model) 1/10/60 s step-size worst relative difference \(worst)")
    #expect(worst <= 1e-9, "\(model): step-size dependence \(worst)")
  }

  @Test
  func `REQ-PAT-PK-05 the concentration and parameter tables in docs/PATIENT.md are the code's`()
    throws
  {
    let doc = try DocFile.read("docs/PATIENT.md")
    let parameters = PKVerification.parameterTable()
    let concentrations = PKVerification.concentrationTable()
    #expect(DocFile.section("pk-parameters", in: doc) == parameters)
    #expect(DocFile.section("pk-concentrations", in: doc) == concentrations)
    if DocFile.section("pk-parameters", in: doc) != parameters
      || DocFile.section("pk-concentrations", in: doc) != concentrations
    {
      print("generated tables (paste into docs/PATIENT.md):\n\(parameters)\n\(concentrations)")
    }
  }
}
