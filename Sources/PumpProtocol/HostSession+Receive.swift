import PumpCore

extension HostSession {
  /// TLM and TLC frames, read in place (no frame copy, no field strings). nil: not telemetry,
  /// or not well-formed: the general path then parses it again and reports why.
  mutating func receiveTelemetry(_ body: ArraySlice<UInt8>) -> [HostSessionAction]? {
    guard body.count > 4, body[body.startIndex] == UInt8(ascii: "T"),
      body[body.startIndex + 1] == UInt8(ascii: "L"), body[body.startIndex + 3] == UInt8(ascii: ",")
    else { return nil }
    guard let v = try? FrameView(body) else { return nil }
    let key = sessionKey ?? pendingKey
    var authenticated = false
    if v.kindIs("TLM") {
      var t = keyframe ?? Telemetry(mode: .idle)
      keyframe = nil  // `t` holds the only reference: refilling its alarms allocates nothing
      do {
        var r = v.fields
        try t.read(&r)
        try r.end()
      } catch { return nil }
      if let mac = v.mac, let key {
        guard key.verify64(mac, .device, body: v.signed) else {
          counters.badMac.saturatingAdd()
          return [.droppedFrame("device MAC does not verify")]
        }
        authenticated = true
      }
      keyframe = t
      keyframeAuthenticated = authenticated
      return deviceSeq(v.seq) + [.telemetry(t, authenticated: authenticated)]
    }
    guard v.kindIs("TLC"), let (dseq, c) = try? CompactTelemetry.parse(v) else { return nil }
    if let mac = v.mac, let key {
      guard key.verify64(mac, .device, body: v.signed) else {
        counters.badMac.saturatingAdd()
        return [.droppedFrame("device MAC does not verify")]
      }
      authenticated = true
    }
    let gap = deviceSeq(dseq)
    guard var t = keyframe else {
      return gap + [.droppedFrame("compact telemetry before its first full TLM")]
    }
    t.apply(c)
    return gap + [.telemetry(t, authenticated: authenticated && keyframeAuthenticated)]
  }

  /// Handles one frame from the device.
  public mutating func receive(frame: Frame, now: Milliseconds) -> [HostSessionAction] {
    guard case .framed(let body) = frame else { return [] }  // console text is for humans
    if let done = receiveTelemetry(body.bytes[...]) { return done }
    guard let f = try? ParsedFrame(body), let message = try? DeviceMessage(parsing: f) else {
      counters.malformed.saturatingAdd()
      return [.droppedFrame("unparsable device frame")]
    }
    var authenticated = false
    var key = sessionKey ?? pendingKey
    if case .reply(let r) = message, case .auth? = outstanding[r.seq]?.request { key = pendingKey }
    if let mac = f.mac, let key {
      guard key.verify(mac, .device, body: f.signed) else {
        counters.badMac.saturatingAdd()
        return [.droppedFrame("device MAC does not verify")]
      }
      authenticated = true
    }
    switch message {
    case .telemetry(let dseq, let t):
      return deviceSeq(dseq) + [.telemetry(t, authenticated: authenticated)]
    case .event(let dseq, let e):
      return deviceSeq(dseq) + [.event(e, authenticated: authenticated)]
    case .reply(let reply):
      guard let o = outstanding[reply.seq] else {
        counters.unexpectedReplies.saturatingAdd()
        return []
      }
      // Replies to MAC'd requests must be MAC'd by the device, except the NAKs a device
      // cannot MAC (bad MAC, no or expired session); those can only report a refusal.
      if sessionKey != nil, Self.wasMACd(o.bytes), !authenticated, !Self.isUnauthenticatedNak(reply)
      {
        counters.badMac.saturatingAdd()
        return [.droppedFrame("reply to an authenticated request without MAC")]
      }
      outstanding[reply.seq] = nil
      return handle(reply, to: o.request, authenticated: authenticated, now: now)
    }
  }

  static func isUnauthenticatedNak(_ r: DeviceReply) -> Bool {
    guard case .nak(let n) = r.result else { return false }
    return [.badMac, .authRequired, .sessionExpired].contains(n.code)
  }

  static func wasMACd(_ bytes: [UInt8]) -> Bool { bytes.contains(UInt8(ascii: "#")) }

  mutating func deviceSeq(_ s: UInt32) -> [HostSessionAction] {
    defer { lastDeviceSeq = s }
    guard let last = lastDeviceSeq else { return [] }
    if s > last {
      let missing = s - last - 1
      if missing > 0 {
        counters.gaps.saturatingAdd(missing)
        return [.gap(missing: missing)]
      }
    } else {
      counters.deviceSeqResets.saturatingAdd()
    }
    return []
  }

  mutating func handle(
    _ reply: DeviceReply, to request: HostRequest, authenticated: Bool, now: Milliseconds
  ) -> [HostSessionAction] {
    var actions: [HostSessionAction] = [.reply(request, reply)]
    switch (request, reply.result) {
    case (.hello, .ack(.hello(let info))):
      device = info
      actions.append(.connected(info))
    case (.login, .ack(.login(let c))):
      guard let key = config.key, let id = device?.deviceId ?? config.deviceId else { break }
      if let expected = config.deviceId, expected != id {
        state = .observer
        actions.append(.loginFailed(nil))
        break
      }
      let ctx = Handshake.context(
        deviceId: id, role: key.role, hostNonce: hostNonce, deviceNonce: c.deviceNonce,
        sessionId: c.sessionId)
      guard ConstantTime.equal(Handshake.deviceProof(key: key, context: ctx), c.deviceProof)
      else {
        state = .observer
        actions.append(.loginFailed(nil))
        break
      }
      pendingKey = Handshake.sessionKey(key: key, context: ctx, sessionId: c.sessionId)
      state = .awaitingAuth
      if let (_, bytes) = try? track(
        .auth(proof: Handshake.hostProof(key: key, context: ctx)), mac: false, now: now)
      {
        actions.append(.send(bytes))
      }
    case (.auth, .ack):
      guard authenticated, let k = pendingKey else {
        state = .observer
        pendingKey = nil
        actions.append(.loginFailed(nil))
        break
      }
      sessionKey = k
      pendingKey = nil
      state = .loggedIn
      actions.append(.loggedIn(config.key?.role ?? .observer))
    case (.login, .nak(let n)), (.auth, .nak(let n)):
      state = .observer
      pendingKey = nil
      actions.append(.loginFailed(n))
    case (.logout, .ack):
      state = .observer
      sessionKey = nil
    case (_, .nak(let n)) where n.code == .sessionExpired || n.code == .authRequired:
      if state == .loggedIn {
        state = .observer
        sessionKey = nil
      }
    default: break
    }
    return actions
  }
}
