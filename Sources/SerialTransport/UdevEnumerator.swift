import CUdev

/// Real serial ports from libudev (internal).
///
/// Which ttys count as serial ports (the rule pyserial and libserialport follow):
/// 1. the tty has a device node and a parent device (virtual consoles `tty0..63`, `console`,
///    `ptmx` have none);
/// 2. the device behind it is found by skipping the `serial-base` bus that kernels ≥ 6.5 put
///    between a UART and its tty; if that device is on the `platform` bus with driver
///    `serial8250`, it is one of the legacy placeholders the 8250 driver registers for ports
///    that may not exist (the 32 `/dev/ttyS*` pyserial hides), and is skipped;
/// 3. a tty whose `type` attribute is `0` (`PORT_UNKNOWN`: no UART answered) is skipped.
/// Every udev string is optional; USB parents from `udev_device_get_parent_with_subsystem_devtype`
/// are borrowed from the child and never unreferenced.
enum UdevEnumerator {
  static func serialPorts() -> [PortInfo] {
    guard let udev = udev_new() else { return [] }
    defer { udev_unref(udev) }
    guard let enumerator = udev_enumerate_new(udev) else { return [] }
    defer { udev_enumerate_unref(enumerator) }
    guard udev_enumerate_add_match_subsystem(enumerator, "tty") >= 0,
      udev_enumerate_scan_devices(enumerator) >= 0
    else { return [] }
    let stableLinks = StableLinks.scan()
    var ports: [PortInfo] = []
    var entry = udev_enumerate_get_list_entry(enumerator)
    while let current = entry {
      entry = udev_list_entry_get_next(current)
      guard let syspath = udev_list_entry_get_name(current),
        let device = udev_device_new_from_syspath(udev, syspath)
      else { continue }
      defer { udev_device_unref(device) }
      if let info = portInfo(device, stableLinks: stableLinks) { ports.append(info) }
    }
    return ports.sorted { $0.path < $1.path }
  }

  private static func string(_ p: UnsafePointer<CChar>?) -> String? {
    guard let p else { return nil }
    let s = String(cString: p)
    return s.isEmpty ? nil : s
  }

  private static func sysattr(_ d: OpaquePointer?, _ name: String) -> String? {
    guard let d else { return nil }
    return string(udev_device_get_sysattr_value(d, name))?.trimmingWhitespace()
  }

  private static func property(_ d: OpaquePointer, _ name: String) -> String? {
    string(udev_device_get_property_value(d, name))
  }

  /// The device behind the tty, skipping the serial-base bus.
  private static func hardwareParent(_ tty: OpaquePointer) -> OpaquePointer? {
    var p = udev_device_get_parent(tty)
    while let d = p, string(udev_device_get_subsystem(d)) == "serial-base" {
      p = udev_device_get_parent(d)
    }
    return p
  }

  static func portInfo(_ tty: OpaquePointer, stableLinks: StableLinks) -> PortInfo? {
    guard let node = string(udev_device_get_devnode(tty)),
      let parent = hardwareParent(tty)
    else { return nil }
    let subsystem = string(udev_device_get_subsystem(parent))
    let driver = string(udev_device_get_driver(parent))
    if subsystem == "platform" && driver == "serial8250" { return nil }
    if sysattr(tty, "type") == "0" { return nil }
    var info = PortInfo(
      path: node, kind: kind(forSubsystem: subsystem), byIdLinks: stableLinks.byId[node] ?? [],
      byPathLinks: stableLinks.byPath[node] ?? [], subsystem: subsystem, driver: driver)
    if let usbDevice = udev_device_get_parent_with_subsystem_devtype(tty, "usb", "usb_device") {
      let usbInterface = udev_device_get_parent_with_subsystem_devtype(tty, "usb", "usb_interface")
      info.kind = .usb
      info.vid = (sysattr(usbDevice, "idVendor") ?? property(tty, "ID_VENDOR_ID")).flatMap {
        UInt16($0, radix: 16)
      }
      info.pid = (sysattr(usbDevice, "idProduct") ?? property(tty, "ID_MODEL_ID")).flatMap {
        UInt16($0, radix: 16)
      }
      info.manufacturer = sysattr(usbDevice, "manufacturer") ?? property(tty, "ID_VENDOR")
      info.product = sysattr(usbDevice, "product") ?? property(tty, "ID_MODEL")
      info.serialNumber = sysattr(usbDevice, "serial") ?? property(tty, "ID_SERIAL_SHORT")
      info.interface = sysattr(usbInterface, "interface")
      info.driver = info.driver ?? property(tty, "ID_USB_DRIVER")
      let deviceName = string(udev_device_get_sysname(usbDevice))
      let interfaceName = usbInterface.flatMap { string(udev_device_get_sysname($0)) }
      let interfaces = Int(sysattr(usbDevice, "bNumInterfaces") ?? "1") ?? 1
      info.location = interfaces > 1 ? (interfaceName ?? deviceName) : deviceName
      info.hwid = PortInfo.usbHWID(
        vid: info.vid, pid: info.pid, serial: info.serialNumber, location: info.location)
    } else if subsystem == "pnp" {
      info.hwid = sysattr(parent, "id") ?? "n/a"
    }
    return info
  }

  static func kind(forSubsystem subsystem: String?) -> PortKind {
    switch subsystem {
    case "usb", "usb-serial": return .usb
    case "pci": return .pci
    case "pnp": return .pnp
    case "platform": return .platform
    case "amba": return .amba
    default: return .other
    }
  }
}

extension String {
  /// Without leading and trailing spaces and newlines (sysattrs end in a newline).
  func trimmingWhitespace() -> String? {
    let scalars = unicodeScalars
    guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
      let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
    else { return nil }
    return String(scalars[start...end])
  }
}
