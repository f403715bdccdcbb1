// libFuzzer entry for the PumpProtocol frame decoder and message parsers (Tools/fuzz).
// Built by plain swiftc together with the crypto-free framing/codec sources and PumpCore.
// Properties checked: nothing traps; every frame is ≤ 255 bytes; every message that parses
// re-encodes to a frame that parses back to the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  var decoder = FrameDecoder()
  var slice = ArraySlice(bytes)
  while let frame = decoder.decode(buffer: &slice) {
    guard case .framed(let body) = frame else { continue }
    precondition(body.bytes.count <= 252, "frame longer than 255 bytes")
    // The byte-level reader (FrameView) accepts and refuses exactly what ParsedFrame does.
    let view = Result { () throws(ProtocolError) in try FrameView(body.bytes[...]) }
    let old = Result { () throws(ProtocolError) in try ParsedFrame(body) }
    switch (old, view) {
    case (.success(let p), .success(let v)):
      precondition(p.kind == String(decoding: v.kind, as: UTF8.self) && p.seq == v.seq)
      if p.kind == "TLM" {
        var r = FieldReader(p.fields)
        let a = Result { () throws(ProtocolError) in try Telemetry(reading: &r) }
        var c = v.fields
        var t = Telemetry(mode: .idle)
        let b = Result { () throws(ProtocolError) in
          try t.read(&c)
          return t
        }
        precondition(a == b, "Telemetry.read differs from Telemetry(reading:)")
      }
      // Compact telemetry: what parses re-encodes to a frame that parses back the same.
      if let (dseq, c) = try? CompactTelemetry.parse(v) {
        let f = try! FrameEncoder.frame(body: c.body(deviceSeq: dseq).bytes, mac: p.mac)
        precondition(f.count <= CompactTelemetry.maxFrameBytes, "TLC longer than its worst case")
        var d = FrameDecoder()
        var back: (UInt32, CompactTelemetry)? = nil
        for byte in f where d.step(byte) == .frame {
          back = try? CompactTelemetry.parse(FrameView(d.frameBody))
        }
        guard let back else { preconditionFailure("re-encoded TLC does not parse") }
        precondition(back.0 == dseq && back.1 == c, "TLC round trip differs")
      }
    case (.failure(let e1), .failure(let e2)): precondition(e1 == e2, "errors differ")
    default: preconditionFailure("FrameView and ParsedFrame disagree")
    }
    guard let parsed = try? ParsedFrame(body) else { continue }
    if let request = try? HostRequest(parsing: parsed) {
      let again = request.body(seq: parsed.seq).bytes
      if let f = try? FrameEncoder.frame(body: again, mac: parsed.mac) {
        var d = FrameDecoder()
        guard case .framed(let b)? = d.decodeAll(f).first, let p = try? ParsedFrame(b),
          let back = try? HostRequest(parsing: p)
        else { preconditionFailure("re-encoded request does not parse: \(request)") }
        precondition(back == request, "request round trip differs")
      }
    }
    if let message = try? DeviceMessage(parsing: parsed) {
      if let f = try? FrameEncoder.frame(body: message.body().bytes, mac: parsed.mac) {
        var d = FrameDecoder()
        guard case .framed(let b)? = d.decodeAll(f).first, let p = try? ParsedFrame(b),
          let back = try? DeviceMessage(parsing: p)
        else { preconditionFailure("re-encoded device message does not parse") }
        precondition(back == message, "device message round trip differs")
      }
    }
  }
  // FrameDecoder.next (runs of frame text copied at once) agrees with byte-by-byte decoding.
  var byByte = FrameDecoder()
  let expected = bytes.compactMap { byByte.feed($0) }
  var bulk = FrameDecoder()
  var got: [Frame] = []
  let all = ArraySlice(bytes)
  var chunkStart = 0
  while chunkStart < size {
    let chunkEnd = min(size, chunkStart + 1 + (size > 0 ? Int(bytes[chunkStart]) % 97 : 0))
    let chunk = all[chunkStart..<chunkEnd]
    var i = chunk.startIndex
    while let u = bulk.next(chunk, at: &i) { got.append(bulk.frame(for: u)) }
    chunkStart = chunkEnd
  }
  precondition(got == expected && bulk.counters == byByte.counters, "next differs from feed")
  let c = decoder.counters
  precondition(c.framesAccepted <= UInt32(size), "counter overflow")
  return 0
}
