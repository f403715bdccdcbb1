import PumpCore

extension Mode {
  /// Wire sub-code qualifying `code`: the infusion phase, pause reason or fault code raw value;
  /// 0 for modes without one.
  public var subCode: UInt8 {
    switch self {
    case .infusing(let p): p.rawValue
    case .paused(let r): r.rawValue
    case .fault(let f): f.rawValue
    default: 0
    }
  }

  /// The mode for a wire (code, sub-code) pair, or nil if either is unknown.
  public init?(code: UInt8, subCode: UInt8) {
    switch code {
    case 0: self = .selfTest
    case 1: self = .idle
    case 2: self = .programmed
    case 3:
      guard let p = InfusionPhase(rawValue: subCode) else { return nil }
      self = .infusing(p)
    case 4:
      guard let r = PauseReason(rawValue: subCode) else { return nil }
      self = .paused(r)
    case 5: self = .kvo
    case 6: self = .complete
    case 7: self = .interlockStopped
    case 8:
      guard let f = FaultCode(rawValue: subCode) else { return nil }
      self = .fault(f)
    default: return nil
    }
    if ![3, 4, 8].contains(code), subCode != 0 { return nil }
  }

  /// Console output's name: `WireNames.name` (`infusing(basal)`, `paused(power-cycle)`).
  public var consoleName: String { WireNames.name(self) }
}
