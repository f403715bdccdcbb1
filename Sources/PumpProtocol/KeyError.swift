/// Why key material was refused.
public enum KeyError: Error, Hashable, Sendable {
  /// Not exactly 32 bytes.
  case wrongLength
  /// All bytes equal (e.g. all zero): not a random key.
  case weak
  /// The published test-vector key (or a role key derived from it): never a device key.
  case testVectorKey
  /// Observer has no key.
  case noKeyForObserver
}
