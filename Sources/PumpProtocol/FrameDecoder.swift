/// Splits a byte stream into checksummed frames and console lines (docs/PROTOCOL.md §2).
///
/// nio style: `decode(buffer:)` consumes bytes until one unit is complete and returns it, or
/// returns nil when it needs more bytes. Garbage, truncated frames, overlong lines and bad
/// checksums are dropped and counted in `counters`; the decoder resynchronises at the next `$`
/// or line end. The line buffer has a fixed capacity (252 bytes); it never grows and never traps.
public struct FrameDecoder: Sendable {
  /// Longest frame or line on the wire, terminator included.
  public static let maxFrameLength = 255
  /// Longest accepted frame content after `$`: body, `*`, 4 CRC digits (255 − `$` − CR LF).
  static let maxFrameContent = maxFrameLength - 3
  /// Longest accepted console line before its terminator.
  static let maxConsoleLine = maxFrameLength - 2

  private enum State: Sendable {
    case idle
    case frame
    case console
    case discard
  }

  /// Error counters since creation.
  public private(set) var counters = FrameCounters()
  private var state = State.idle
  private var line: [UInt8]
  /// The line being discarded was overlong: answer `.refused(.overlong)` at its end.
  private var discardingOverlong = false

  public init() {
    line = []
    line.reserveCapacity(Self.maxConsoleLine)
  }

  /// Consumes bytes from the front of `buffer` until a frame or console line is complete.
  /// Returns nil when `buffer` is exhausted first (need more bytes).
  public mutating func decode(buffer: inout ArraySlice<UInt8>) -> Frame? {
    while let byte = buffer.popFirst() {
      if let frame = feed(byte) { return frame }
    }
    return nil
  }

  /// Decodes every complete unit in `bytes` (partial trailing input stays buffered).
  public mutating func decodeAll(_ bytes: some Sequence<UInt8>) -> [Frame] {
    var out: [Frame] = []
    for b in bytes {
      if let f = feed(b) { out.append(f) }
    }
    return out
  }

  /// What `step(_:)` completed. The frame body and the console line stay in the decoder until
  /// the next byte: read them through `frameBody` / `consoleLine`.
  public enum Unit: Hashable, Sendable {
    /// A frame whose CRC matched: `frameBody` is its body (the bytes between `$` and `*`).
    case frame
    /// A console line: `consoleLine` is its text, trimmed of spaces.
    case console
    /// A typed line that was refused (see `Frame.refused`).
    case refused(LineRefusal)
  }

  /// The body of the frame `step(_:)` just completed, a view of the decoder's own buffer (no
  /// copy). Valid until the next byte is fed; holding it across `step` makes the next append
  /// copy the buffer.
  public var frameBody: ArraySlice<UInt8> { line[0..<bodyLength] }
  private var bodyLength = 0
  private var consoleRange = 0..<0

  /// The console line `step(_:)` just completed (valid until the next byte).
  public var consoleLine: ArraySlice<UInt8> { line[consoleRange] }

  /// Feeds one byte; returns a unit when this byte completes one.
  public mutating func feed(_ byte: UInt8) -> Frame? {
    step(byte).map { frame(for: $0) }
  }

  /// The `Frame` value of a unit `step` or `next` just completed (copies the body or line).
  public func frame(for unit: Unit) -> Frame {
    switch unit {
    case .frame: .framed(FrameBody(bytes: Array(frameBody)))
    case .console: .console(String(decoding: consoleLine, as: UTF8.self))
    case .refused(let why): .refused(why)
    }
  }

  /// Consumes `bytes` from index `i` until a unit is complete (returned, `i` just past its
  /// last byte) or the bytes run out (nil). The same decisions as `step` byte by byte, but a
  /// run of frame text is copied into the line buffer at once.
  public mutating func next(_ bytes: ArraySlice<UInt8>, at i: inout Int) -> Unit? {
    while i < bytes.endIndex {
      if state == .frame {
        let limit = min(bytes.endIndex, i + (Self.maxFrameContent - line.count))
        var j = i
        while j < limit {
          let c = bytes[j]
          if c < 0x20 || c > 0x7E || c == UInt8(ascii: "$") { break }
          j += 1
        }
        if j > i {
          line.append(contentsOf: bytes[i..<j])
          i = j
          continue
        }
      }
      let b = bytes[i]
      i += 1
      if let u = step(b) { return u }
    }
    return nil
  }

  /// Feeds one byte without building a `Frame`: allocation-free. On `.frame` the body is
  /// `frameBody`, on `.console` the line is `consoleLine`.
  public mutating func step(_ byte: UInt8) -> Unit? {
    let dollar = UInt8(ascii: "$")
    let isEnd = byte == 0x0D || byte == 0x0A
    let printable = byte >= 0x20 && byte <= 0x7E
    switch state {
    case .idle:
      if byte == dollar {
        startFrame()
      } else if isEnd {
        // Blank line or the LF of CR LF.
      } else if printable {
        line.removeAll(keepingCapacity: true)
        line.append(byte)
        state = .console
      } else {
        counters.garbageBytes.saturatingAdd()
      }
    case .frame:
      if byte == dollar {
        counters.framesDropped.saturatingAdd()  // truncated: a new frame starts
        counters.garbageBytes.saturatingAdd(UInt32(clamping: line.count + 1))
        startFrame()
      } else if isEnd {
        state = .idle
        return finishFrame()
      } else if printable {
        if line.count >= Self.maxFrameContent {
          counters.overlong.saturatingAdd()
          counters.framesDropped.saturatingAdd()
          counters.garbageBytes.saturatingAdd(UInt32(clamping: line.count + 2))
          discard(overlong: true)
        } else {
          line.append(byte)
        }
      } else {
        counters.garbageBytes.saturatingAdd(UInt32(clamping: line.count + 2))
        counters.framesDropped.saturatingAdd()
        discard(overlong: false)
      }
    case .console:
      if byte == dollar {
        counters.garbageBytes.saturatingAdd(UInt32(clamping: line.count))
        startFrame()
      } else if isEnd {
        state = .idle
        return finishConsole()
      } else if printable {
        if line.count >= Self.maxConsoleLine {
          counters.overlong.saturatingAdd()
          counters.garbageBytes.saturatingAdd(UInt32(clamping: line.count + 1))
          discard(overlong: true)
        } else {
          line.append(byte)
        }
      } else {
        counters.garbageBytes.saturatingAdd(UInt32(clamping: line.count + 1))
        discard(overlong: false)
      }
    case .discard:
      if byte == dollar {
        startFrame()
      } else if isEnd {
        state = .idle
        if discardingOverlong { return .refused(.overlong) }
      } else {
        counters.garbageBytes.saturatingAdd()
      }
    }
    return nil
  }

  private mutating func discard(overlong: Bool) {
    discardingOverlong = overlong
    state = .discard
  }

  /// Forgets a half-received frame or line (the peer that sent it hung up); counters stay.
  public mutating func resetLine() {
    if state == .frame { counters.framesDropped.saturatingAdd() }
    line.removeAll(keepingCapacity: true)
    state = .idle
  }

  private mutating func startFrame() {
    line.removeAll(keepingCapacity: true)
    state = .frame
  }

  private mutating func finishFrame() -> Unit? {
    let n = line.count
    guard n >= 6, line[n - 5] == UInt8(ascii: "*") else {
      counters.framesDropped.saturatingAdd()
      // Typed by hand (no `*` anywhere) rather than damaged on the line: say so.
      return line.contains(UInt8(ascii: "*")) || n == 0 ? nil : .refused(.missingChecksum)
    }
    var crc: UInt16 = 0
    for i in (n - 4)..<n {
      guard let v = Hex.value(ofDigit: line[i]) else {
        counters.framesDropped.saturatingAdd()
        return nil
      }
      crc = crc << 4 | UInt16(v)
    }
    guard CRC16.ccittFalse(line[0..<(n - 5)]) == crc else {
      counters.crcErrors.saturatingAdd()
      counters.framesDropped.saturatingAdd()
      return nil
    }
    counters.framesAccepted.saturatingAdd()
    bodyLength = n - 5
    return .frame
  }

  private mutating func finishConsole() -> Unit? {
    var start = line.startIndex
    var end = line.endIndex
    while start < end, line[start] == 0x20 { start += 1 }
    while end > start, line[end - 1] == 0x20 { end -= 1 }
    guard start < end else { return nil }
    counters.consoleLines.saturatingAdd()
    consoleRange = start..<end
    return .console
  }
}
