/// An Ornstein–Uhlenbeck process with mean 0, stepped exactly:
/// x ← x·a + sd·√(1−a²)·N(0,1), a = e^{−Δt/τ}, so its statistics do not depend on step length.
struct NoiseProcess: Sendable {
  let sd: Double
  let tauMinutes: Double
  private(set) var value = 0.0
  private var lastMinutes = -1.0
  private var a = 0.0
  private var b = 0.0

  init(sd: Double, tauMinutes: Double, start: inout PatientRandom) {
    self.sd = sd
    self.tauMinutes = tauMinutes
    value = sd > 0 ? sd * start.normal() : 0
  }

  mutating func advance(minutes: Double, random g: inout PatientRandom) {
    guard sd > 0, minutes > 0 else { return }
    if minutes != lastMinutes {
      lastMinutes = minutes
      a = tauMinutes > 0 ? PatientMath.exp(-minutes / tauMinutes) : 0
      b = sd * (1 - a * a).squareRoot()
    }
    value = value * a + b * g.normal()
  }
}
