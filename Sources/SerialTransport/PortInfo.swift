/// One serial port as discovery sees it: what pyserial's `ListPortInfo` users expect, plus the
/// owner of a KetaPump virtual port. Fields are absent (JSON: left out) when unknown.
public struct PortInfo: Codable, Equatable, Hashable, Sendable {
  /// Device node: `/dev/ttyUSB0`, or `/dev/pts/N` for a virtual port.
  public var path: String
  /// What it is.
  public var kind: PortKind
  /// Stable `/dev/serial/by-id/...` links to it.
  public var byIdLinks: [String]
  /// Stable `/dev/serial/by-path/...` links to it.
  public var byPathLinks: [String]
  /// Subsystem of the device behind the tty (`usb-serial`, `usb`, `pnp`, `platform`, ...).
  public var subsystem: String?
  /// Kernel driver (`ftdi_sio`, `cp210x`, `cdc_acm`, `serial`, ...).
  public var driver: String?
  /// USB vendor id.
  public var vid: UInt16?
  /// USB product id (pyserial's name; the owning process of a virtual port is `processId`).
  public var pid: UInt16?
  /// USB manufacturer string.
  public var manufacturer: String?
  /// USB product string.
  public var product: String?
  /// USB serial number.
  public var serialNumber: String?
  /// USB interface name.
  public var interface: String?
  /// USB location (`1-1.2`, or `1-1.2:1.0` for multi-interface devices), as pyserial gives it.
  public var location: String?
  /// pyserial-style hardware id: `USB VID:PID=0403:6001 SER=A12345 LOCATION=1-1.2`, a PnP id,
  /// `KETAPUMP PID=1234 ID=KP-SIM-0001` for a virtual port, or `n/a`.
  public var hwid: String
  /// The link hosts open (virtual ports).
  public var link: String?
  /// The simulator process that owns a virtual port.
  public var processId: Int32?
  /// The simulated pump's device id (virtual ports).
  public var deviceId: String?
  /// The port name in the run directory (virtual ports).
  public var name: String?

  public init(
    path: String, kind: PortKind, byIdLinks: [String] = [], byPathLinks: [String] = [],
    subsystem: String? = nil, driver: String? = nil, vid: UInt16? = nil, pid: UInt16? = nil,
    manufacturer: String? = nil, product: String? = nil, serialNumber: String? = nil,
    interface: String? = nil, location: String? = nil, hwid: String = "n/a",
    link: String? = nil, processId: Int32? = nil, deviceId: String? = nil, name: String? = nil
  ) {
    self.path = path
    self.kind = kind
    self.byIdLinks = byIdLinks
    self.byPathLinks = byPathLinks
    self.subsystem = subsystem
    self.driver = driver
    self.vid = vid
    self.pid = pid
    self.manufacturer = manufacturer
    self.product = product
    self.serialNumber = serialNumber
    self.interface = interface
    self.location = location
    self.hwid = hwid
    self.link = link
    self.processId = processId
    self.deviceId = deviceId
    self.name = name
  }

  /// pyserial's USB hwid: `USB VID:PID=%04X:%04X[ SER=...][ LOCATION=...]`.
  public static func usbHWID(vid: UInt16?, pid: UInt16?, serial: String?, location: String?)
    -> String
  {
    var s = "USB VID:PID=\(hex4(vid ?? 0)):\(hex4(pid ?? 0))"
    if let serial { s += " SER=\(serial)" }
    if let location { s += " LOCATION=\(location)" }
    return s
  }

  /// Upper-case, zero-padded, 4 hex digits.
  static func hex4(_ v: UInt16) -> String {
    let h = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - h.count)) + h
  }

  /// The path a user should open: the link of a virtual port, the first by-id link, the node.
  public var preferredPath: String { link ?? byIdLinks.first ?? path }

  /// One-line description: product, manufacturer, or what the port is.
  public var summary: String {
    switch kind {
    case .virtualKetapump:
      return "KetaPump simulator" + (deviceId.map { " \($0)" } ?? "")
    default:
      let parts = [manufacturer, product].compactMap { $0 }
      if !parts.isEmpty { return parts.joined(separator: " ") }
      return hwid == "n/a" ? "\(kind.rawValue) serial port" : "\(kind.rawValue) serial port \(hwid)"
    }
  }
}
