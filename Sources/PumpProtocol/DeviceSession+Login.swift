import PumpCore

extension DeviceSession {
  /// Failed-login back-off of one role (docs/PROTOCOL.md §7.2).
  struct Backoff {
    /// Consecutive failed AUTHs of this role since its last successful login.
    var failures = 0
    /// LOGIN for this role is refused until then.
    var until: Milliseconds?
  }

  /// LOGIN: back-off and HELLO checks, fresh device nonce and session id, device proof.
  mutating func login(
    _ f: ParsedFrame, _ body: FrameBody, role: Role, hostNonce: [UInt8], now: Milliseconds
  ) -> [DeviceSessionAction] {
    if let l = backoff[role]?.until, now < l {
      return refuse(
        f, body,
        Nak(
          .lockedOut, detail: (l - now).rawValue,
          reason:
            "\(role.rawValue) login backs off after failed logins; retry in \((l - now).rawValue) ms"
        ),
        role: role, authenticated: false, now: now, audit: true)
    }
    guard negotiated != nil else {
      return refuse(
        f, body, Nak(.helloRequired, reason: "send HELLO first"), role: role,
        authenticated: false, now: now, audit: false)
    }
    guard let key = try? secret.roleKey(for: role) else {
      return refuse(
        f, body, Nak(.outOfRange, reason: "role"), role: role,
        authenticated: false, now: now, audit: false)
    }
    let deviceNonce = Handshake.randomBytes(Handshake.nonceLength, using: &random)
    let sid = Handshake.randomBytes(Handshake.sessionIdLength, using: &random)
    let ctx = Handshake.context(
      deviceId: config.info.deviceId, role: role, hostNonce: hostNonce,
      deviceNonce: deviceNonce, sessionId: sid)
    pendingLogin = PendingLogin(
      role: role, context: ctx, sessionId: sid, expires: now + config.loginTimeout)
    let challenge = LoginChallenge(
      deviceNonce: deviceNonce, sessionId: sid,
      deviceProof: Handshake.deviceProof(key: key, context: ctx))
    let p = PendingRequest(
      request: .login(role, hostNonce: hostNonce), seq: f.seq, role: .observer, console: false,
      body: body.bytes, authenticated: false)
    return answer(p, .ack(.login(challenge)))
  }

  /// AUTH: verify the host proof; open the session, or count a failure (per-role back-off,
  /// link-security alarm after `securityAlarmFailures` in a row on the line).
  mutating func auth(_ f: ParsedFrame, _ body: FrameBody, proof: [UInt8], now: Milliseconds)
    -> [DeviceSessionAction]
  {
    guard let p = pendingLogin, now < p.expires,
      let key = try? secret.roleKey(for: p.role)
    else {
      return refuse(
        f, body, Nak(.noLoginPending, reason: "send LOGIN first"), role: .observer,
        authenticated: false, now: now, audit: false)
    }
    pendingLogin = nil
    guard ConstantTime.equal(Handshake.hostProof(key: key, context: p.context), proof) else {
      return failedAuth(f, body, role: p.role, now: now)
    }
    backoff[p.role] = nil
    lineFailures = 0
    var actions: [DeviceSessionAction] = []
    if securityAlert && (p.role == .clinician || p.role == .service) {
      securityAlert = false
      actions.append(.securityAlert(false))
    }
    let replaced = active
    endSession()
    expired = replaced?.key
    active = Active(
      role: p.role, key: Handshake.sessionKey(key: key, context: p.context, sessionId: p.sessionId),
      lastSeq: f.seq, lastTraffic: now, handshakeCached: true)
    let pending = PendingRequest(
      request: .auth(proof: []), seq: f.seq, role: p.role, console: false, body: body.bytes,
      authenticated: true)
    // The AUTH reply is cached under the AUTH frame (a retransmission gets it, §6.2) until the
    // host's first MAC'd request shows it has the session key.
    actions = answer(pending, .ack(.done(.auth))) + actions
    return actions + [
      .linkEstablished(p.role),
      .audit(
        AuditRecord(
          time: now, role: p.role, command: "LOGIN", seq: f.seq, outcome: .accepted,
          reason: replaced == nil ? "session opened" : "session opened, previous one ended")),
    ]
  }

  private mutating func failedAuth(
    _ f: ParsedFrame, _ body: FrameBody, role: Role, now: Milliseconds
  ) -> [DeviceSessionAction] {
    counters.authFailures.saturatingAdd()
    var b = backoff[role] ?? Backoff()
    b.failures += 1
    lineFailures += 1
    var actions = refuse(
      f, body, Nak(.authFailed, reason: "login proof rejected"),
      role: role, authenticated: false, now: now, audit: true)
    if let wait = config.backoff(afterFailures: b.failures) {
      b.until = now + wait
      actions.append(
        .audit(
          AuditRecord(
            time: now, role: role, command: RequestKind.auth.rawValue, seq: f.seq,
            outcome: .rejected,
            reason: "\(role.rawValue) logins refused for \(wait.rawValue) ms after"
              + " \(b.failures) failed logins in a row")))
    }
    backoff[role] = b
    if lineFailures >= config.securityAlarmFailures && !securityAlert {
      securityAlert = true
      actions.append(.securityAlert(true))
      actions.append(
        .audit(
          AuditRecord(
            time: now, role: role, command: RequestKind.auth.rawValue, seq: f.seq,
            outcome: .rejected,
            reason: "link-security alarm: \(lineFailures) failed logins in a row on this line")))
    }
    return actions
  }
}
