/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no input or output reflection,
/// final XOR 0x0000. Check value for the ASCII string "123456789": 0x29B1.
/// Computed over a frame's body (the bytes between `$` and `*`, MAC included).
public enum CRC16 {
  /// Byte-wise lookup table for polynomial 0x1021 (MSB first).
  private static let table: [UInt16] = (0..<256).map { byte -> UInt16 in
    var crc = UInt16(byte) << 8
    for _ in 0..<8 {
      crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1
    }
    return crc
  }

  /// Two bytes per step ("slicing by 2"): `table2[x] = table[x] << 8 ^ table[table[x] >> 8]`,
  /// the effect of byte x followed by a zero byte; the CRC is linear over XOR, so
  /// `crc(h l, b0 b1) = table2[h ^ b0] ^ table[l ^ b1]`, two independent lookups.
  private static let table2: [UInt16] = table.map { t in (t << 8) ^ table[Int(t >> 8)] }

  /// The CRC-16/CCITT-FALSE of contiguous bytes (the codec's path: two bytes per step, no
  /// bounds checks).
  public static func ccittFalse(_ bytes: ArraySlice<UInt8>) -> UInt16 {
    table.withUnsafeBufferPointer { t in
      table2.withUnsafeBufferPointer { t2 in
        bytes.withUnsafeBufferPointer { b in
          var crc: UInt16 = 0xFFFF
          var i = 0
          while i + 1 < b.count {
            let h = UInt8(truncatingIfNeeded: crc >> 8) ^ b[i]
            let l = UInt8(truncatingIfNeeded: crc) ^ b[i + 1]
            crc = t2[Int(h)] ^ t[Int(l)]
            i += 2
          }
          if i < b.count {
            crc = (crc << 8) ^ t[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ b[i])]
          }
          return crc
        }
      }
    }
  }

  /// The CRC-16/CCITT-FALSE of `bytes`.
  public static func ccittFalse(_ bytes: some Sequence<UInt8>) -> UInt16 {
    var crc: UInt16 = 0xFFFF
    for b in bytes {
      crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ b)]
    }
    return crc
  }
}
