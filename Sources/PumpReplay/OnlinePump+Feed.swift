import PumpCore
import PumpHost
import PumpProtocol

/// Online replay's monitor feed (docs/TRACES.md, "Online replay"): a run of 1 Hz vitals samples
/// goes out on the service session as a test harness, each sample one `CLOCK VITALS` frame
/// (advance the virtual clock, take the sample at the new time, answer with the status after
/// it; docs/PROTOCOL.md §4.3.2), pipelined: up to two chunks of `feedChunk` samples are on the
/// wire at once, written in one go, the replies read in order. Sequence numbers, MACs and the
/// one-reply rule are the session's, as for any request; nothing is skipped or taken on trust.
extension OnlinePump {
  /// One fed sample's outcome.
  public struct Fed: Sendable {
    /// The pump after the sample (the reply's STATUS telemetry), or the NAK that refused it.
    public enum Outcome: Sendable {
      case status(Telemetry)
      case refused(Nak)
    }
    public var outcome: Outcome
    /// The device events that arrived after the previous sample's reply and before this one's
    /// (those of this sample's advance and vitals: a request's events precede its reply, §4.6).
    public var events: [DeviceEvent]
  }

  /// Samples per write (≈ 60 bytes each out, ≈ 125 bytes of reply back).
  public static let feedChunk = 32

  /// Feeds `samples` (each: advance the pump's clock by `step`, 1 ms…1 day, then the sample)
  /// and returns, per sample in order, its outcome. Throws when the link fails or a reply
  /// stays uncertain; samples after that one may have reached the pump.
  public func feed(_ samples: [(step: Milliseconds, sample: VitalsSample)], chunk: Int = feedChunk)
    throws(ClientError) -> [Fed]
  {
    guard !samples.isEmpty else { return [] }
    let c = try client(for: .service)
    let n = samples.count
    let chunk = max(chunk, 1)
    let pending = takeEvents(via: .service)
    let order = FeedOrder(count: n, pending: pending)
    let observer = c.observe
    let sink = self.sink
    c.observe = { o in
      guard case .event(let e, _) = o, !sink.skipsCopy(.service) else { return }
      order.events[min(order.answered, n - 1)].append(e)
    }
    c.onReply = { r in
      if order.answered < order.seqs.count, r.seq == order.seqs[order.answered] {
        order.answered += 1
      }
    }
    defer {
      c.observe = observer
      c.onReply = nil
      // The events read here never entered the sink: the other sessions drop their copies.
      sink.taken(order.events.reduce(0) { $0 + $1.count } - pending.count, via: .service)
    }
    func request(_ k: Int) -> HostRequest {
      .clock(.advanceWithVitals(samples[k].step, samples[k].sample))
    }
    var out: [Fed] = []
    out.reserveCapacity(n)
    try pipelined(n, chunk: chunk) { (items: Range<Int>) throws(ClientError) in
      order.seqs += try c.send(items.map(request))
    } receive: { (k: Int) throws(ClientError) in
      guard let reply = try c.wait(for: order.seqs[k], request: request(k), timeoutMs: 3000)
      else { throw .uncertain(request(k)) }
      switch reply.result {
      case .ack(.status(let t)): out.append(Fed(outcome: .status(t), events: order.events[k]))
      case .nak(let x): out.append(Fed(outcome: .refused(x), events: order.events[k]))
      case .ack: throw .linkLost("\(c.path): CLOCK VITALS answered without telemetry")
      }
    }
    requests += Int64(n)
    keepAlive()
    return out
  }
}

/// Which replies of a feed have arrived, and the events read before each.
private final class FeedOrder {
  var seqs: [UInt32] = []
  var answered = 0
  var events: [[DeviceEvent]]

  init(count: Int, pending: [DeviceEvent]) {
    events = Array(repeating: [], count: count)
    events[0] = pending
  }
}

extension OnlinePump {
  /// Walks the pump's clock through `steps` (each 1 ms…1 day), reading `PATIENT` after each:
  /// per step a `CLOCK ADVANCE` and a `PATIENT` on the service session, pipelined as the feed
  /// is (`feedChunk` frames per write, two writes in flight, replies read in order). Returns
  /// the readouts in order. Device events stay queued for the next sample (`takeEvents`).
  /// Throws when the link fails, a reply stays uncertain, a step is refused or the pump has no
  /// patient; steps after that one may have reached the pump.
  public func patientCourse(_ steps: [Milliseconds], chunk: Int = feedChunk / 2)
    throws(ClientError) -> [PatientReadout]
  {
    guard !steps.isEmpty else { return [] }
    let c = try client(for: .service)
    let n = steps.count
    let chunk = max(chunk, 1)
    var seqs: [UInt32] = []
    seqs.reserveCapacity(2 * n)
    var out: [PatientReadout] = []
    out.reserveCapacity(n)
    try pipelined(n, chunk: chunk) { (items: Range<Int>) throws(ClientError) in
      var requests: [HostRequest] = []
      for k in items { requests += [.clock(.advance(steps[k])), .patient] }
      seqs += try c.send(requests)
    } receive: { (k: Int) throws(ClientError) in
      let advance = HostRequest.clock(.advance(steps[k]))
      guard let a = try c.wait(for: seqs[2 * k], request: advance, timeoutMs: 3000) else {
        throw .uncertain(advance)
      }
      if case .nak(let x) = a.result { throw .nak(advance, x) }
      guard let p = try c.wait(for: seqs[2 * k + 1], request: .patient, timeoutMs: 3000) else {
        throw .uncertain(.patient)
      }
      switch p.result {
      case .ack(.patient(let r)): out.append(r)
      case .nak(let x): throw .nak(.patient, x)
      case .ack: throw .linkLost("\(c.path): PATIENT answered with another kind")
      }
    }
    requests += Int64(2 * n)
    keepAlive()
    return out
  }

  /// The feed's pipelining, for `n` items in order: `send` writes the requests of a range of at
  /// most `chunk` items in one go; two such writes are in flight, the next one goes out when
  /// the replies of a whole chunk have been read; `receive` reads item k's replies.
  private func pipelined(
    _ n: Int, chunk: Int, send: (Range<Int>) throws(ClientError) -> Void,
    receive: (Int) throws(ClientError) -> Void
  ) throws(ClientError) {
    var sent = 0
    func next() throws(ClientError) {
      guard sent < n else { return }
      let items = sent..<min(sent + chunk, n)
      try send(items)
      sent = items.upperBound
    }
    try next()
    try next()
    for k in 0..<n {
      if k > 0, k % chunk == 0 {
        try next()
        keepAlive()
      }
      try receive(k)
    }
  }
}
