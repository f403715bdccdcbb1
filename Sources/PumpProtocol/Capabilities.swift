/// Features a device offers, announced in HELLO. Wire value: 4 uppercase hex digits of the bit
/// set.
public struct Capabilities: OptionSet, Hashable, Sendable {
  public var rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  /// Bit 0: TLM telemetry frames.
  public static let telemetry = Capabilities(rawValue: 1 << 0)
  /// Bit 1: console lines for read-only queries.
  public static let console = Capabilities(rawValue: 1 << 1)
  /// Bit 2: INJECT (service-role fault injection).
  public static let faultInjection = Capabilities(rawValue: 1 << 2)
  /// Bit 3: CLOCK (service-role virtual clock control).
  public static let clockControl = Capabilities(rawValue: 1 << 3)
  /// Bit 4: VITALS feed accepted.
  public static let vitalsFeed = Capabilities(rawValue: 1 << 4)

  /// Everything the simulator offers.
  public static let simulator: Capabilities = [
    .telemetry, .console, .faultInjection, .clockControl, .vitalsFeed,
  ]
}
