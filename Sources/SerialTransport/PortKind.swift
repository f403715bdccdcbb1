/// What kind of port a `PortInfo` describes (JSON: the raw value).
public enum PortKind: String, Codable, Sendable, CaseIterable {
  /// A USB-serial adapter or CDC-ACM device (`/dev/ttyUSB*`, `/dev/ttyACM*`).
  case usb
  /// A PCI serial card.
  case pci
  /// An on-board UART described by ACPI/PnP (`/dev/ttyS*` with a real 8250/16550).
  case pnp
  /// A platform (SoC) UART, e.g. `/dev/ttyAMA0`.
  case platform
  /// An ARM AMBA UART.
  case amba
  /// Any other bus.
  case other
  /// A KetaPump simulator's virtual port (pty), found through its run-directory record.
  case virtualKetapump = "virtual-ketapump"
}
