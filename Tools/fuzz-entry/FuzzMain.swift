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
  let c = decoder.counters
  precondition(c.framesAccepted <= UInt32(size), "counter overflow")
  return 0
}
