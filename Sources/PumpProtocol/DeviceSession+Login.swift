import PumpCore

extension DeviceSession {
  /// LOGIN: lockout and HELLO checks, fresh device nonce and session id, device proof.
  mutating func login(
    _ f: ParsedFrame, _ body: FrameBody, role: Role, hostNonce: [UInt8], now: Milliseconds
  ) -> [DeviceSessionAction] {
    if let l = lockedUntil, now < l {
      return refuse(
        f, body,
        Nak(
          .lockedOut, detail: (l - now).rawValue,
          reason: "too many failed logins; retry in \((l - now).rawValue) ms"),
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

  /// AUTH: verify the host proof; open the session or count a failure (lockout after 5).
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
      counters.authFailures.saturatingAdd()
      failedLogins += 1
      var actions = refuse(
        f, body, Nak(.authFailed, reason: "login proof rejected"),
        role: p.role, authenticated: false, now: now, audit: true)
      if failedLogins >= config.maxFailedLogins {
        failedLogins = 0
        lockedUntil = now + config.lockoutDuration
        actions.append(
          .audit(
            AuditRecord(
              time: now, role: p.role, command: "LOGIN", seq: f.seq, outcome: .rejected,
              reason: "link locked for \(config.lockoutDuration.rawValue) ms after"
                + " \(config.maxFailedLogins) failed logins")))
      }
      return actions
    }
    failedLogins = 0
    let replaced = active
    endSession()
    expired = replaced?.key
    active = Active(
      role: p.role, key: Handshake.sessionKey(key: key, context: p.context, sessionId: p.sessionId),
      lastSeq: f.seq, lastTraffic: now)
    let pending = PendingRequest(
      request: .auth(proof: []), seq: f.seq, role: p.role, console: false, body: body.bytes,
      authenticated: true)
    return answer(pending, .ack(.done(.auth))) + [
      .linkEstablished(p.role),
      .audit(
        AuditRecord(
          time: now, role: p.role, command: "LOGIN", seq: f.seq, outcome: .accepted,
          reason: replaced == nil ? "session opened" : "session opened, previous one ended")),
    ]
  }
}
