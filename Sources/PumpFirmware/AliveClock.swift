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
  private let fd: Int32
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
    fd = f
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

  func write(t: Milliseconds, wallMillis: Int64) {
    var w = FieldWriter(kind: "JC", seq: seq)
    w.int(t.rawValue)
    w.int(wallMillis)
    guard var frame = try? FrameEncoder.frame(body: w.bytes), frame.count <= Self.slotSize else {
      return
    }
    frame.append(contentsOf: [UInt8](repeating: 0x20, count: Self.slotSize - frame.count))
    let slot = Int(seq % 2)
    frame.withUnsafeBytes {
      (base + slot * Self.slotSize).copyMemory(from: $0.baseAddress!, byteCount: Self.slotSize)
    }
    seq &+= 1
  }

  func sync() { msync(base, 2 * Self.slotSize, MS_SYNC) }

  deinit {
    munmap(base, 2 * Self.slotSize)
    close(fd)
  }
}
