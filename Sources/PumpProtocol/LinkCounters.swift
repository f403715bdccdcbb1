/// Everything the COUNTERS reply carries: the decoder's framing counters and the device
/// session's protocol counters (docs/PROTOCOL.md §4.4). Each 0…4294967295.
public struct LinkCounters: Hashable, Sendable {
  public var frames: FrameCounters
  public var session: SessionCounters

  public init(frames: FrameCounters = FrameCounters(), session: SessionCounters = SessionCounters())
  {
    self.frames = frames
    self.session = session
  }

  var values: [UInt32] {
    [
      frames.crcErrors, frames.overlong, frames.garbageBytes, frames.framesDropped,
      frames.framesAccepted, frames.consoleLines, session.malformed, session.badMac,
      session.staleSequence, session.retransmits, session.authFailures, session.naks,
    ]
  }

  init(values v: [UInt32]) {
    var f = FrameCounters()
    f.crcErrors = v[0]
    f.overlong = v[1]
    f.garbageBytes = v[2]
    f.framesDropped = v[3]
    f.framesAccepted = v[4]
    f.consoleLines = v[5]
    var s = SessionCounters()
    s.malformed = v[6]
    s.badMac = v[7]
    s.staleSequence = v[8]
    s.retransmits = v[9]
    s.authFailures = v[10]
    s.naks = v[11]
    self.init(frames: f, session: s)
  }
}
