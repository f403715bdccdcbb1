/// The published ketamine parameter sets (/work/shared/REFERENCE.md "Ketamine PK/PD"; the same
/// five sets as opentiva's ketamine.py). Rate constants per minute; ke0 values are derived in
/// the literature from an assumed 1-min time to peak effect, not measured.
public enum PKModel: String, Sendable, CaseIterable, Hashable {
  /// Domino et al. 1982 (PMID 7198883), adults, 3 compartments, per-kg V1.
  case domino
  /// Clements & Nimmo 1981 (BJA 53:27, PMID 7459184), 250 µg/kg data, 2 compartments.
  case clements
  /// Hijazi et al. 2003 (BJA 90:155, PMID 12538370), ICU patients, 2 compartments.
  case hijazi
  /// Herd et al. 2007 (Paediatr Anaesth, PMID 17564643), 1–14 y, allometric (exponent 0.75).
  case herd
  /// Hornik et al. 2018 (J Clin Pharmacol, PMID 29677389), 1–18 y, allometric (exponent 0.75).
  case hornik

  /// The citation printed in docs and reports.
  public var citation: String {
    switch self {
    case .domino: "Domino 1982 (PMID 7198883)"
    case .clements: "Clements & Nimmo 1981 (BJA 53:27)"
    case .hijazi: "Hijazi 2003 (BJA 90:155)"
    case .herd: "Herd 2007 (Paediatr Anaesth, PMID 17564643)"
    case .hornik: "Hornik 2018 (J Clin Pharmacol, PMID 29677389)"
    }
  }

  /// Weight-based scaling as published: per kg (Domino, Clements, Hijazi) or allometric
  /// volumes ∝ W/70 and clearances ∝ (W/70)^0.75 (Herd, Hornik).
  public var isAllometric: Bool { self == .herd || self == .hornik }

  /// The typical patient's parameters at `weightKg`.
  public func parameters(weightKg w: Double) -> PKParameters {
    switch self {
    case .domino:
      return PKParameters(
        v1: 0.063 * w, k10: 0.4381, k12: 0.5921, k21: 0.2470, k13: 0.5900, k31: 0.0146,
        ke0: 0.652)
    case .clements:
      return PKParameters(v1: 1.7522 * w, k10: 0.0109, k12: 0.0186, k21: 0.0137, ke0: 5.2)
    case .hijazi:
      return PKParameters(v1: 1.08 * w, k10: 0.0333, k12: 0.0088, k21: 0.0030, ke0: 4.773)
    case .herd:
      return Self.allometric(
        weightKg: w, v1: 38.7, v2: 102, clPerHour: 90, qPerHour: 215, ke0: 2.995)
    case .hornik:
      return Self.allometric(
        weightKg: w, v1: 32.8, v2: 152, clPerHour: 38.9, qPerHour: 54.9, ke0: 4.212)
    }
  }

  /// Volumes (L/70 kg) scaled by W/70, clearances (L/h per 70 kg) by (W/70)^0.75, in L/min.
  private static func allometric(
    weightKg w: Double, v1: Double, v2: Double, clPerHour: Double, qPerHour: Double, ke0: Double
  ) -> PKParameters {
    let size = w / 70
    let clScale = PatientMath.pow(size, 0.75)
    return PKParameters(
      v1: v1 * size, v2: v2 * size, cl: clPerHour / 60 * clScale, q2: qPerHour / 60 * clScale,
      ke0: ke0)
  }
}
