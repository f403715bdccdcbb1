/// Clinical care areas with their own drug-library entries and vitals defaults.
/// Wire value: the raw value.
public enum CareArea: UInt8, Hashable, Sendable, CaseIterable {
  /// Acute post-operative PCA on a surgical ward.
  case acutePostOp = 1
  /// Chronic-pain (e.g. CRPS) continuous infusion.
  case chronicPain = 2
  /// Paediatric acute pain.
  case paediatric = 3
}
