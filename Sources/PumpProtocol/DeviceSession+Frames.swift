import PumpCore

extension DeviceSession {
  /// Handles one checksummed frame: cache, MAC and sequence checks, parse, roles, link requests.
  mutating func framed(_ body: FrameBody, now: Milliseconds) -> [DeviceSessionAction] {
    let f: ParsedFrame
    do { f = try ParsedFrame(body) } catch {
      counters.malformed.saturatingAdd()
      // Exactly one reply whenever kind and seq can be read (§2.3): a lowercase MAC, a bad
      // character in a field. Only an unreadable kind or seq gets none.
      guard let h = ParsedFrame.header(of: body) else { return [] }
      let p = PendingRequest(
        request: .ping, seq: h.seq, role: .observer, console: false, body: body.bytes,
        authenticated: false)
      return answer(p, .nak(Nak(.malformed, reason: error.reason)))
    }
    if let cached = cache.lookup(seq: f.seq, request: body.bytes) {
      counters.retransmits.saturatingAdd()
      return [.resendCached(cached)]
    }
    // A copy of a request handed out for execution but not completed yet (it arrived in the
    // same chunk, or the line duplicated it): not run again; `complete` sends the original's
    // reply once more for it, as the reply cache would.
    if let i = executing.firstIndex(where: { $0.seq == f.seq && $0.body == body.bytes }) {
      counters.retransmits.saturatingAdd()
      executing[i].copies += 1
      return []
    }
    var authenticated = false
    var role = Role.observer
    let kindName = f.kind
    if let mac = f.mac {
      if let a = active {
        guard a.key.verify(mac, .host, body: f.signed) else {
          counters.badMac.saturatingAdd()
          return refuse(
            f, body, Nak(.badMac, reason: "MAC does not verify"), role: a.role,
            authenticated: false, now: now, audit: true)
        }
        guard f.seq > a.lastSeq else {
          counters.staleSequence.saturatingAdd()
          return refuse(
            f, body,
            Nak(
              .staleSequence, detail: Int64(a.lastSeq),
              reason: "seq \(f.seq) not above \(a.lastSeq)"),
            role: a.role, authenticated: true, now: now, audit: true)
        }
        active?.lastSeq = f.seq
        active?.lastTraffic = now
        authenticated = true
        role = a.role
        // The host holds the session key: the handshake that opened the session is no longer
        // a retransmission candidate, so a replayed LOGIN/AUTH now fails like any other (§7.2).
        if a.handshakeCached {
          active?.handshakeCached = false
          cache.remove(requestsStartingWith: Array("LOGIN,".utf8))
          cache.remove(requestsStartingWith: Array("AUTH,".utf8))
        }
      } else if let old = expired, old.verify(mac, .host, body: f.signed) {
        return refuse(
          f, body, Nak(.sessionExpired, reason: "session ended; log in again"),
          role: .observer, authenticated: false, now: now, audit: true)
      } else {
        counters.badMac.saturatingAdd()
        return refuse(
          f, body, Nak(.authRequired, reason: "no session; log in first"),
          role: .observer, authenticated: false, now: now, audit: true)
      }
    }
    let request: HostRequest
    do {
      request = try HostRequest(parsing: f)
    } catch {
      let privileged = RequestKind(rawValue: f.kind)?.permission.isPrivileged ?? false
      return refuse(
        f, body, Nak(error.nakCode, reason: error.reason), role: role,
        authenticated: authenticated, now: now, audit: privileged)
    }
    let permission = request.kind.permission
    if permission.isPrivileged {
      guard authenticated else {
        return refuse(
          f, body,
          Nak(.authRequired, reason: "\(kindName) needs an authenticated session"),
          role: role, authenticated: false, now: now, audit: true)
      }
      guard permission.allows(role) else {
        return refuse(
          f, body,
          Nak(.roleForbidden, reason: "role \(role.rawValue) may not \(kindName)"),
          role: role, authenticated: true, now: now, audit: true)
      }
    }
    let pending = PendingRequest(
      request: request, seq: f.seq, role: role, console: false, body: body.bytes,
      authenticated: authenticated)
    switch request {
    case .hello(let v):
      guard let n = config.info.protocolVersion.negotiated(with: v) else {
        return refuse(
          f, body,
          Nak(
            .versionUnsupported, detail: Int64(config.info.protocolVersion.major),
            reason: "device speaks \(config.info.protocolVersion)"),
          role: role, authenticated: authenticated, now: now, audit: false)
      }
      negotiated = n
      if nextTelemetry == nil { nextTelemetry = now }
      var info = config.info
      info.protocolVersion = n
      return answer(pending, .ack(.hello(info)))
    case .ping: return answer(pending, .ack(.done(request.kind)))
    case .setTelemetry(let hz): return setTelemetry(pending, hertz: hz, format: .full, now: now)
    case .setCompactTelemetry(let hz):
      return setTelemetry(pending, hertz: hz, format: .compact, now: now)
    case .version: return answer(pending, .ack(.version(config.info)))
    case .counters: return answer(pending, .ack(.counters(linkCounters)))
    case .login(let loginRole, let hostNonce):
      return login(f, body, role: loginRole, hostNonce: hostNonce, now: now)
    case .auth(let proof): return auth(f, body, proof: proof, now: now)
    case .logout:
      let replied = answer(pending, .ack(.done(.logout)))
      endSession()
      // A retransmitted LOGOUT (its ACK was lost) gets the same ACK, not NAK 12.
      if case .send(let bytes)? = replied.first {
        cache.store(seq: f.seq, request: body.bytes, reply: bytes)
      }
      return replied + [
        .loggedOut(role),
        .audit(
          AuditRecord(
            time: now, role: role, command: kindName, seq: f.seq, outcome: .accepted,
            reason: "logged out")),
      ]
    default:
      if !pending.console { executing.append((f.seq, body.bytes, 0)) }
      return [.execute(pending)]
    }
  }

  /// Sends a reply the session produced itself, cached when `cacheable`.
  mutating func answer(_ p: PendingRequest, _ result: DeviceReply.Result) -> [DeviceSessionAction] {
    if case .nak = result { counters.naks.saturatingAdd() }
    let bytes = replyFrame(DeviceReply(seq: p.seq, result), authenticated: p.authenticated)
    if Self.cacheable(p) { cache.store(seq: p.seq, request: p.body, reply: bytes) }
    return [.send(bytes)]
  }

  /// Which replies the cache keeps (§6.2): those to MAC'd requests (bound to one session by
  /// their MAC, so a copy can only be a retransmission) and to the handshake (LOGIN, AUTH: a
  /// repeat must not draw a new challenge or count a failure). Unauthenticated requests change
  /// nothing and are answered afresh every time, so another host's byte-identical `HELLO,1` or
  /// `STATUS,2` is never answered from this host's past.
  static func cacheable(_ p: PendingRequest) -> Bool {
    p.authenticated || p.body.starts(with: Array("LOGIN,".utf8))
      || p.body.starts(with: Array("AUTH,".utf8))
  }

  /// TLMRATE: needs a session (any role), and a rate whose frames fit the line (§4.5, §4.5.1).
  mutating func setTelemetry(
    _ p: PendingRequest, hertz: Int, format: TelemetryFormat, now: Milliseconds
  ) -> [DeviceSessionAction] {
    if let limit = config.maxTelemetryHertz(format), hertz > limit {
      let need = format.worstCaseBytesPerSecond(hertz: hertz)
      let nak = Nak(
        .outOfRange, detail: Int64(limit),
        reason:
          "\(hertz) Hz needs \(need) B/s; the line carries \(config.lineBytesPerSecond ?? 0) B/s: max \(limit) Hz"
      )
      return answer(p, .nak(nak)) + [
        .audit(
          AuditRecord(
            time: now, role: p.role, command: RequestKind.setTelemetry.rawValue, seq: p.seq,
            outcome: .rejected, reason: "out-of-range: \(nak.reason)"))
      ]
    }
    telemetryHertz = hertz
    telemetryFormat = format
    framesSinceKeyframe = 0
    nextTelemetry = now
    return answer(p, .ack(.done(.setTelemetry))) + [
      .audit(
        AuditRecord(
          time: now, role: p.role, command: RequestKind.setTelemetry.rawValue, seq: p.seq,
          outcome: .accepted,
          reason: format == .full ? "telemetry \(hertz) Hz" : "telemetry \(hertz) Hz compact"))
    ]
  }

  /// NAKs a frame, with an audit record when `audit` is set.
  mutating func refuse(
    _ f: ParsedFrame, _ body: FrameBody, _ nak: Nak, role: Role, authenticated: Bool,
    now: Milliseconds, audit: Bool
  ) -> [DeviceSessionAction] {
    let p = PendingRequest(
      request: .ping, seq: f.seq, role: role, console: false, body: body.bytes,
      authenticated: authenticated)
    var actions = answer(p, .nak(nak))
    if audit {
      actions.append(
        .audit(
          AuditRecord(
            time: now, role: role, command: f.kind, seq: f.seq, outcome: .rejected,
            reason: "\(nak.code.name): \(nak.reason)")))
    }
    return actions
  }
}
