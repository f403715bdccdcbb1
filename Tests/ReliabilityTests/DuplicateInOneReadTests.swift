import PumpCore
import PumpHost
import PumpNoise
import PumpProtocol
import Testing

extension Reliability {
  /// The failure the noise campaign found once in 10,000 commands, made deterministic with an
  /// in-process device session (no ptys): a request and a byte-identical copy of it (a line
  /// duplicate, or a retransmission the firmware reads in the same pass) arrive in one
  /// `receive(bytes:)` call. The copy must get the original's reply (docs/PROTOCOL.md §6.2),
  /// never NAK 07: the session remembers requests handed out for execution until the firmware
  /// completes them, and answers a copy with the original's reply then.
  @Suite("Reliability: duplicate in one read")
  struct DuplicateInOneReadTests {
    @Test(
      "REQ-REL-NOISE-03: a request and its duplicate in one read: executed once, and the duplicate gets the original's reply, never a refusal",
      .timeLimit(.minutes(1)))
    func duplicateInOneRead() throws {
      var rng = SeededGenerator(seed: 3)
      let secret = DeviceSecret.generate(using: &rng)
      let info = DeviceInfo(
        deviceId: "KP-REL-DUP", firmwareVersion: "0.0.0", hardwareProfile: "sim-a",
        capabilities: .simulator)
      var device = DeviceSession(
        config: DeviceSessionConfig(info: info), secret: secret, random: SeededGenerator(seed: 4))
      var host = HostSession(
        config: HostSessionConfig(key: try secret.roleKey(for: .service), deviceId: info.deviceId))
      var now = Milliseconds(1000)
      var executed: [HostRequest] = []
      var replies: [DeviceReply] = []

      /// Feeds device → host and host → device until quiet.
      func exchange(_ toDevice: [UInt8]) {
        var pending = toDevice
        while !pending.isEmpty {
          var toHost: [UInt8] = []
          var actions = device.receive(bytes: pending, now: now)
          pending = []
          while !actions.isEmpty {
            let a = actions.removeFirst()
            switch a {
            case .send(let b), .resendCached(let b): toHost += b
            case .execute(let p):
              executed.append(p.request)
              actions = device.complete(p, with: .accepted, now: now) + actions
            default: break
            }
          }
          for h in host.receive(bytes: toHost, now: now) {
            switch h {
            case .send(let b): pending += b
            case .reply(_, let r): replies.append(r)
            default: break
            }
          }
          now = now + Milliseconds(1)
        }
      }

      let (_, hello) = try host.send(.hello(.current), now: now)
      exchange(hello)
      let (_, login) = try host.login(hostNonce: Array(repeating: 9, count: 16), now: now)
      exchange(login)
      try #require(host.state == .loggedIn)
      replies.removeAll()

      let (seq, frame) = try host.send(.clock(.advance(Milliseconds(1234))), now: now)
      var answers: [DeviceReply] = []
      var toHost: [UInt8] = []
      var actions = device.receive(bytes: frame + frame, now: now)  // one read, two copies
      while !actions.isEmpty {
        let a = actions.removeFirst()
        switch a {
        case .send(let b), .resendCached(let b): toHost += b
        case .execute(let p):
          executed.append(p.request)
          actions = device.complete(p, with: .accepted, now: now) + actions
        default: break
        }
      }
      var decoder = FrameDecoder()
      for f in decoder.decodeAll(toHost) {
        if case .framed(let body) = f, let p = try? ParsedFrame(body),
          case .reply(let r)? = try? DeviceMessage(parsing: p)
        {
          answers.append(r)
        }
      }
      print("duplicate in one read: replies \(answers.map { "\($0.seq) \($0.result)" })")
      let clocks = executed.filter { if case .clock = $0 { true } else { false } }
      #expect(clocks.count == 1, "executed \(clocks.count) times")
      #expect(answers.count == 2 && answers.allSatisfy { $0.seq == seq })
      #expect(
        answers.allSatisfy { if case .ack = $0.result { true } else { false } }, "\(answers)")
    }
  }
}
