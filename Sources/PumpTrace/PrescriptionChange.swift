import PumpCore

/// One field of a mid-trace re-programming (`program basal=4mg/h lockout=15min`), written with
/// the header's keys and units. Changes apply to the header's prescription; per-kg values are
/// resolved for the patient weight after every change of the line (rounded down, toward less
/// drug, as in the header).
public enum PrescriptionChange: Hashable, Sendable {
  case drugEntry(DrugEntryID)
  case careArea(CareArea)
  case weight(Grams)
  case concentration(MicrogramsPerMilliliter)
  case basal(RateSpec)
  case loading(DoseSpec)
  case bolus(DoseSpec)
  case bolusRate(MicrolitersPerHour)
  case lockout(Milliseconds)
  case maxBolusesPerHour(Int64)
  case limit1h(DoseSpec)
  case limit4h(DoseSpec)
  case vtbi(Microliters)
  case kvo(MicrolitersPerHour)
  case rateIncreaseInterval(Milliseconds)
}

extension Prescription {
  /// This prescription with `changes` applied (weight first, so per-kg values use the new one).
  public func changing(_ changes: [PrescriptionChange]) -> Prescription {
    var p = self
    for c in changes {
      if case .weight(let w) = c { p.patientWeight = w }
    }
    let w = p.patientWeight
    for c in changes {
      switch c {
      case .drugEntry(let e): p.drugEntry = e
      case .careArea(let a): p.careArea = a
      case .weight: break
      case .concentration(let x): p.concentration = x
      case .basal(let r): p.basalRate = r.resolve(weight: w)
      case .loading(let d): p.loadingDose = d.resolve(weight: w)
      case .bolus(let d): p.bolusDose = d.resolve(weight: w)
      case .bolusRate(let r): p.bolusRate = r
      case .lockout(let d): p.lockout = d
      case .maxBolusesPerHour(let n): p.maxBolusesPerHour = n
      case .limit1h(let d): p.limit1h = d.resolve(weight: w)
      case .limit4h(let d): p.limit4h = d.resolve(weight: w)
      case .vtbi(let v): p.vtbi = v
      case .kvo(let r): p.kvoRate = r
      case .rateIncreaseInterval(let d): p.rateIncreaseInterval = d
      }
    }
    return p
  }
}
