import PumpProtocol

/// Host-side link error counters (REFERENCE.md: robust framed links show them): the frame
/// decoder's (CRC failures, dropped frames, garbage) and the host session's (sequence gaps,
/// retransmits, timeouts, bad MACs), summed over reconnects by `MonitorSession`.
public struct LinkStats: Hashable, Sendable {
  /// Device frames whose CRC failed.
  public var crcErrors: UInt64 = 0
  /// Device frames dropped for any reason (bad CRC, overlong, truncated, bad trailer).
  public var framesDropped: UInt64 = 0
  /// Device frames accepted.
  public var framesAccepted: UInt64 = 0
  /// Noise bytes between frames.
  public var garbageBytes: UInt64 = 0
  /// Device frames missed (device sequence gaps).
  public var gaps: UInt64 = 0
  /// Times the device sequence went backwards (device restarted).
  public var deviceRestarts: UInt64 = 0
  /// Requests retransmitted.
  public var retransmits: UInt64 = 0
  /// Requests given up after the last retransmission.
  public var timeouts: UInt64 = 0
  /// Device frames whose MAC failed.
  public var badMac: UInt64 = 0
  /// Device frames that did not parse.
  public var malformed: UInt64 = 0
  /// Successful reconnections after a lost link.
  public var reconnects: UInt64 = 0

  public init() {}

  /// The counters of one host session.
  public init(session: HostSession) {
    let f = session.frameCounters
    let c = session.counters
    crcErrors = UInt64(f.crcErrors)
    framesDropped = UInt64(f.framesDropped)
    framesAccepted = UInt64(f.framesAccepted)
    garbageBytes = UInt64(f.garbageBytes)
    gaps = UInt64(c.gaps)
    deviceRestarts = UInt64(c.deviceSeqResets)
    retransmits = UInt64(c.retransmits)
    timeouts = UInt64(c.timeouts)
    badMac = UInt64(c.badMac)
    malformed = UInt64(c.malformed)
  }

  /// Field-wise sum (reconnects included).
  public static func + (a: LinkStats, b: LinkStats) -> LinkStats {
    var s = LinkStats()
    s.crcErrors = a.crcErrors + b.crcErrors
    s.framesDropped = a.framesDropped + b.framesDropped
    s.framesAccepted = a.framesAccepted + b.framesAccepted
    s.garbageBytes = a.garbageBytes + b.garbageBytes
    s.gaps = a.gaps + b.gaps
    s.deviceRestarts = a.deviceRestarts + b.deviceRestarts
    s.retransmits = a.retransmits + b.retransmits
    s.timeouts = a.timeouts + b.timeouts
    s.badMac = a.badMac + b.badMac
    s.malformed = a.malformed + b.malformed
    s.reconnects = a.reconnects + b.reconnects
    return s
  }

  /// `crc 0 dropped 0 gaps 0 rtx 0 timeouts 0 badmac 0 reconnects 0`.
  public var summary: String {
    "crc \(crcErrors) dropped \(framesDropped) gaps \(gaps) rtx \(retransmits)"
      + " timeouts \(timeouts) bad-mac \(badMac) reconnects \(reconnects)"
  }
}

extension PumpClient {
  /// This client's link error counters.
  public var linkStats: LinkStats { LinkStats(session: session) }
  /// The line settings asked for and those the driver reports.
  public var lineSettings: (requested: LineSettingsText, actual: LineSettingsText) {
    (port.requested.description, port.actual.description)
  }
}

/// Line settings as users read them: `115200 8N1`.
public typealias LineSettingsText = String
