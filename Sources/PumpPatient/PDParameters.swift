/// How the effect-site concentration acts on the patient. Sources and assumptions per value in
/// docs/PATIENT.md; no published Emax model exists for ketamine's blood-pressure or heart-rate
/// rise, so those three relations are our assumption, sized to the published magnitudes.
public struct PDParameters: Sendable, Equatable {
  /// Heart-rate rise as a fraction of baseline (Längsjö 2005: up to +43.5 %).
  public var hr: EmaxRelation
  /// Systolic and diastolic rises as fractions of baseline (Längsjö 2005: MAP up to +27 %;
  /// Idvall 1979: +15–30 %).
  public var sbp: EmaxRelation
  public var dbp: EmaxRelation
  /// Pain-score reduction in NRS points (0–10) (Sigtermans 2009 sigmoid Emax; Olofsen 2012:
  /// −3.8 cm VAS at 100 ng/mL S-ketamine).
  public var analgesia: EmaxRelation
  /// Dissociation score 0–100 rises linearly from `dissociationOnset` to `dissociationFull`
  /// ng/mL (Bowdle 1998: psychedelic VAS linear in plasma 50–200 ng/mL).
  public var dissociationOnset: Double
  public var dissociationFull: Double

  public init(
    hr: EmaxRelation, sbp: EmaxRelation, dbp: EmaxRelation, analgesia: EmaxRelation,
    dissociationOnset: Double = 50, dissociationFull: Double = 200
  ) {
    self.hr = hr
    self.sbp = sbp
    self.dbp = dbp
    self.analgesia = analgesia
    self.dissociationOnset = dissociationOnset
    self.dissociationFull = dissociationFull
  }

  /// The adult defaults (docs/PATIENT.md, table "PD defaults").
  public static let adult = PDParameters(
    hr: EmaxRelation(emax: 0.45, ec50: 600, gamma: 1.5),
    sbp: EmaxRelation(emax: 0.30, ec50: 600, gamma: 1.5),
    dbp: EmaxRelation(emax: 0.30, ec50: 600, gamma: 1.5),
    analgesia: EmaxRelation(emax: 6, ec50: 152, gamma: 2))

  /// Dissociation score 0–100 at `c` ng/mL.
  public func dissociation(at c: Double) -> Double {
    let span = dissociationFull - dissociationOnset
    guard span > 0 else { return c >= dissociationFull ? 100 : 0 }
    return min(max((c - dissociationOnset) / span, 0), 1) * 100
  }
}
