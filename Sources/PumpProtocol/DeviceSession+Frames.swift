import PumpCore

extension DeviceSession {
  /// Handles one checksummed frame: cache, MAC and sequence checks, parse, roles, link requests.
  mutating func framed(_ body: FrameBody, now: Milliseconds) -> [DeviceSessionAction] {
    guard let f = try? ParsedFrame(body) else {
      counters.malformed.saturatingAdd()
      return []
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
    case .ping, .setTelemetry:
      if case .setTelemetry(let hz) = request {
        telemetryHertz = hz
        nextTelemetry = now
      }
      return answer(pending, .ack(.done(request.kind)))
    case .version: return answer(pending, .ack(.version(config.info)))
    case .counters: return answer(pending, .ack(.counters(linkCounters)))
    case .login(let loginRole, let hostNonce):
      return login(f, body, role: loginRole, hostNonce: hostNonce, now: now)
    case .auth(let proof): return auth(f, body, proof: proof, now: now)
    case .logout:
      let replied = answer(pending, .ack(.done(.logout)))
      endSession()
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

  /// Sends (and caches) a reply the session produced itself.
  mutating func answer(_ p: PendingRequest, _ result: DeviceReply.Result) -> [DeviceSessionAction] {
    if case .nak = result { counters.naks.saturatingAdd() }
    let bytes = replyFrame(DeviceReply(seq: p.seq, result), authenticated: p.authenticated)
    cache.store(seq: p.seq, request: p.body, reply: bytes)
    return [.send(bytes)]
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
