/// Renders ports as a human table with aligned columns (`pumpmon ports`).
public enum PortTable {
  /// Column titles.
  public static let headers = [
    "PORT", "KIND", "VID:PID", "SERIAL", "DRIVER", "DESCRIPTION", "OPEN AS",
  ]

  /// The table, one line per port, or a sentence when there are none.
  public static func render(_ ports: [PortInfo]) -> String {
    guard !ports.isEmpty else { return "no serial ports found" }
    let rows = [headers] + ports.map(row)
    var widths = headers.map(\.count)
    for r in rows {
      for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    return rows.map { r in
      r.enumerated().map { i, cell in
        i == r.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }

  /// One event as a line: `+ /dev/ttyUSB0 usb 0403:6001 ...` / `- ...`.
  public static func line(_ event: PortEvent) -> String {
    (event.event == .added ? "+ " : "- ")
      + row(event.port).filter { $0 != "-" }.joined(separator: " ")
  }

  static func row(_ p: PortInfo) -> [String] {
    let ids: String
    if let vid = p.vid, let pid = p.pid {
      ids = "\(PortInfo.hex4(vid)):\(PortInfo.hex4(pid))".lowercased()
    } else if let owner = p.processId {
      ids = "pid \(owner)"
    } else {
      ids = "-"
    }
    return [
      p.path, p.kind.rawValue, ids, p.serialNumber ?? "-", p.driver ?? "-", p.summary,
      p.preferredPath,
    ]
  }
}
