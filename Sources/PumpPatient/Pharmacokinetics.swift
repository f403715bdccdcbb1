import PumpCore

/// One patient's drug disposition: amounts in the compartments (µg), the effect-site
/// concentration (ng/mL = µg/L) and the running totals that make mass balance checkable.
/// Stepped exactly (`Propagator`): the result at an instant does not depend on how the time
/// before it was cut into steps, only on the drug delivered in each step.
public struct Pharmacokinetics: Sendable {
  public let parameters: PKParameters
  /// Amounts in the central and peripheral compartments, µg.
  public private(set) var a1 = 0.0
  public private(set) var a2 = 0.0
  public private(set) var a3 = 0.0
  /// Effect-site concentration, ng/mL.
  public private(set) var effectSite = 0.0
  /// Drug eliminated from the body so far, µg.
  public private(set) var eliminated = 0.0
  /// Drug that has entered the body so far, µg.
  public private(set) var administered = 0.0
  private var propagator: Propagator

  public init(parameters: PKParameters) {
    self.parameters = parameters
    propagator = Propagator(parameters)
  }

  /// Plasma (central) concentration, ng/mL (µg in V1 litres).
  public var plasma: Double { a1 / parameters.v1 }

  /// Drug in the body now, µg.
  public var inBody: Double { a1 + a2 + a3 }

  /// Advances by `duration`, `delivered` having entered the vein at a constant rate over it.
  public mutating func advance(by duration: Milliseconds, delivered: Micrograms) {
    advance(minutes: Double(duration.rawValue) / 60_000, micrograms: Double(delivered.rawValue))
  }

  /// The numeric form: `micrograms` (≥ 0) at a constant rate over `minutes` (> 0). A zero
  /// duration with drug is an instantaneous bolus into V1.
  public mutating func advance(minutes: Double, micrograms: Double) {
    guard minutes > 0 else {
      bolus(micrograms: micrograms)
      return
    }
    let e = propagator.matrix(minutes: minutes)
    let x = (a1, a2, a3, effectSite, eliminated, micrograms / minutes)
    func row(_ r: Int) -> Double {
      let b = r * Propagator.n
      return e[b] * x.0 + e[b + 1] * x.1 + e[b + 2] * x.2 + e[b + 3] * x.3 + e[b + 4] * x.4
        + e[b + 5] * x.5
    }
    a1 = row(0)
    a2 = row(1)
    a3 = row(2)
    effectSite = row(3)
    eliminated = row(4)
    administered += micrograms
  }

  /// An instantaneous bolus into the central compartment, µg.
  public mutating func bolus(micrograms: Double) {
    a1 += micrograms
    administered += micrograms
  }
}
