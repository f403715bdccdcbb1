/// Serial line settings: baud, character framing and flow control. Default: 115200 8N1, no flow
/// control, the usual setting for a USB-serial adapter.
public struct LineSettings: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// Parity bit.
  public enum Parity: String, Sendable, Codable, CaseIterable {
    /// No parity bit (`N`).
    case none
    /// Even parity (`E`, `PARENB`).
    case even
    /// Odd parity (`O`, `PARENB | PARODD`).
    case odd
  }

  /// Flow control.
  public enum FlowControl: String, Sendable, Codable, CaseIterable {
    /// None.
    case none
    /// Hardware RTS/CTS (`CRTSCTS`).
    case rtsCts = "rtscts"
    /// Software XON/XOFF (`IXON | IXOFF`).
    case xonXoff = "xonxoff"
  }

  /// The baud rates termios can set on Linux (`B50` ... `B4000000`), bits per second.
  public static let standardBauds: [Int] = [
    50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19_200, 38_400, 57_600,
    115_200, 230_400, 460_800, 500_000, 576_000, 921_600, 1_000_000, 1_152_000, 1_500_000,
    2_000_000, 2_500_000, 3_000_000, 3_500_000, 4_000_000,
  ]

  /// Bits per second; must be in `standardBauds`.
  public var baud: Int
  /// Data bits per character, 5 to 8.
  public var dataBits: Int
  /// Parity bit.
  public var parity: Parity
  /// Stop bits, 1 or 2.
  public var stopBits: Int
  /// Flow control.
  public var flowControl: FlowControl

  public init(
    baud: Int = 115_200, dataBits: Int = 8, parity: Parity = .none, stopBits: Int = 1,
    flowControl: FlowControl = .none
  ) {
    self.baud = baud
    self.dataBits = dataBits
    self.parity = parity
    self.stopBits = stopBits
    self.flowControl = flowControl
  }

  /// 115200 8N1, no flow control.
  public static let standard = LineSettings()

  /// Settings from a baud rate and a framing string such as `8N1`, `7E1`, `8O2`.
  public init(baud: Int, framing: String, flowControl: FlowControl = .none) throws(TransportError) {
    let chars = Array(framing.uppercased())
    guard chars.count == 3, let data = Int(String(chars[0])), let stop = Int(String(chars[2]))
    else { throw .badFraming(framing) }
    let parity: Parity
    switch chars[1] {
    case "N": parity = .none
    case "E": parity = .even
    case "O": parity = .odd
    default: throw .badFraming(framing)
    }
    self.init(baud: baud, dataBits: data, parity: parity, stopBits: stop, flowControl: flowControl)
    try validate()
  }

  /// Throws the first bad value, named in the error.
  public func validate() throws(TransportError) {
    guard Self.standardBauds.contains(baud) else { throw .unsupportedBaud(baud) }
    guard (5...8).contains(dataBits) else { throw .unsupportedDataBits(dataBits) }
    guard stopBits == 1 || stopBits == 2 else { throw .unsupportedStopBits(stopBits) }
  }

  /// Bits on the wire per character: start + data + parity + stop (10 for 8N1).
  public var bitsPerByte: Int { 1 + dataBits + (parity == .none ? 0 : 1) + stopBits }

  /// Framing as users write it: `8N1`.
  public var framing: String {
    let p: String
    switch parity {
    case .none: p = "N"
    case .even: p = "E"
    case .odd: p = "O"
    }
    return "\(dataBits)\(p)\(stopBits)"
  }

  /// `115200 8N1` (plus ` rtscts` or ` xonxoff` when flow control is on).
  public var description: String {
    "\(baud) \(framing)" + (flowControl == .none ? "" : " \(flowControl.rawValue)")
  }
}
