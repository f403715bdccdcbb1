import PumpCore
import PumpProtocol

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Two 64-byte slots in a memory-mapped file, written alternately: `$JC,<seq>,<t>,<wall>*CRC`.
/// A store that is torn by a kill leaves the other slot intact; the reader takes the valid slot
/// with the higher sequence.
final class AliveClock {
  static let slotSize = 64
  private let base: UnsafeMutableRawPointer
  private var seq: UInt32

  init(path: String) throws(JournalError) {
    let f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard f >= 0 else { throw .io(path: path, errno: errno, "cannot open clock file") }
    if ftruncate(f, off_t(2 * Self.slotSize)) != 0 {
      let e = errno
      close(f)
      throw .io(path: path, errno: e, "cannot size clock file")
    }
    guard
      let p = mmap(nil, 2 * Self.slotSize, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0),
      p != MAP_FAILED
    else {
      let e = errno
      close(f)
      throw .io(path: path, errno: e, "cannot map clock file")
    }
    // The mapping keeps the file: no descriptor held per pump (a fleet of thousands counts them).
    close(f)
    base = p
    seq = 0
    seq = (readSlots()?.seq ?? 0) &+ 1
  }

  func read() -> (t: Milliseconds, wallMillis: Int64)? {
    readSlots().map { ($0.t, $0.wall) }
  }

  private func readSlots() -> (seq: UInt32, t: Milliseconds, wall: Int64)? {
    var best: (seq: UInt32, t: Milliseconds, wall: Int64)? = nil
    for slot in 0..<2 {
      let bytes = [UInt8](
        UnsafeRawBufferPointer(start: base + slot * Self.slotSize, count: Self.slotSize))
      var decoder = FrameDecoder()
      guard let frame = decoder.decodeAll(bytes).first, case .framed(let body) = frame,
        let f = try? ParsedFrame(body), f.kind == "JC", f.fields.count == 2,
        let t = Int64(f.fields[0]), let wall = Int64(f.fields[1])
      else { continue }
      if best.map({ f.seq > $0.seq }) ?? true { best = (f.seq, Milliseconds(t), wall) }
    }
    return best
  }

  /// Writes the next slot in place: `$JC,<seq>,<t>,<wall>*CRC` CR LF, space padded. No
  /// allocation: this runs every control tick.
  func write(t: Milliseconds, wallMillis: Int64) {
    let slot = base + Int(seq % 2) * Self.slotSize
    let p = slot.assumingMemoryBound(to: UInt8.self)
    var n = 0
    func put(_ b: UInt8) {
      p[n] = b
      n += 1
    }
    func decimal(_ v: Int64) {
      var x = UInt64(max(v, 0))
      var digits: (UInt64, Int) = (1, 1)
      while digits.0 <= x / 10 { digits = (digits.0 * 10, digits.1 + 1) }
      var d = digits.0
      while d > 0 {
        put(UInt8(ascii: "0") + UInt8(x / d))
        x %= d
        d /= 10
      }
    }
    put(UInt8(ascii: "$"))
    put(UInt8(ascii: "J"))
    put(UInt8(ascii: "C"))
    put(UInt8(ascii: ","))
    decimal(Int64(seq))
    put(UInt8(ascii: ","))
    decimal(t.rawValue)
    put(UInt8(ascii: ","))
    decimal(wallMillis)
    let crc = CRC16.ccittFalse(UnsafeBufferPointer(start: p + 1, count: n - 1))
    put(UInt8(ascii: "*"))
    for shift in [12, 8, 4, 0] {
      let nibble = UInt8((crc >> UInt16(shift)) & 0xF)
      put(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10)
    }
    put(0x0D)
    put(0x0A)
    while n < Self.slotSize { put(0x20) }
    seq &+= 1
  }

  func sync() { msync(base, 2 * Self.slotSize, MS_SYNC) }

  deinit {
    munmap(base, 2 * Self.slotSize)
  }
}
