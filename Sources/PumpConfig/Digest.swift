import Crypto

/// The SHA-256 digest (swift-crypto) of `bytes` as 64 lowercase hex digits: the fingerprint of
/// a drug library and of a key file.
func sha256Hex(_ bytes: [UInt8]) -> String {
  let hexDigits = Array("0123456789abcdef")
  var out = ""
  out.reserveCapacity(64)
  for b in SHA256.hash(data: bytes) {
    out.append(hexDigits[Int(b >> 4)])
    out.append(hexDigits[Int(b & 0x0F)])
  }
  return out
}
