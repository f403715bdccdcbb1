import PumpCore

extension DeviceSession {
  /// A console line: read-only queries only, answered in readable text.
  mutating func console(_ line: String, now: Milliseconds) -> [DeviceSessionAction] {
    let words = line.lowercased().split(separator: " ")
    let word = words.first.map(String.init) ?? ""
    func pending(_ r: HostRequest) -> PendingRequest {
      PendingRequest(
        request: r, seq: 0, role: .observer, console: true, body: [],
        authenticated: false)
    }
    switch word {
    case "help": return [.send(ConsoleText.help())]
    case "version": return [.send(ConsoleText.version(config.info))]
    case "counters": return [.send(ConsoleText.counters(linkCounters))]
    case "status" where words.count == 1: return [.execute(pending(.status))]
    case "patient" where words.count == 1: return [.execute(pending(.patient))]
    case "alarms" where words.count == 1: return [.execute(pending(.alarms(offset: 0)))]
    case "log" where words.count <= 2:
      let back = words.count == 2 ? Int(words[1]) : 0
      if let back, (0...99_999).contains(back) {
        return [.execute(pending(.logTail(back: back)))]
      }
    default: break
    }
    counters.naks.saturatingAdd()
    let shown = WireText.sanitize(word, maxLength: 24)
    let nak = Nak(
      .consoleReadOnly,
      reason: "'\(shown)' is not a read-only query; changes need authenticated frames."
        + " Try: help")
    var actions: [DeviceSessionAction] = [.send(ConsoleText.nak(nak))]
    if let kind = RequestKind(rawValue: word.uppercased()), kind.permission.isPrivileged {
      actions.append(
        .audit(
          AuditRecord(
            time: now, role: .observer, command: kind.rawValue, seq: nil, outcome: .rejected,
            reason: "console-read-only: console line")))
    }
    return actions
  }

  /// A typed line the decoder could not take (too long, a frame without `*CRC`): a person at a
  /// terminal must see why nothing happened (§3). Readable text, like every console answer.
  mutating func refusedLine(_ why: LineRefusal) -> [DeviceSessionAction] {
    counters.naks.saturatingAdd()
    let reason =
      switch why {
      case .overlong:
        "line longer than \(FrameDecoder.maxFrameLength - 2) characters; nothing was done"
      case .missingChecksum:
        "a '$' frame needs '*' and its CRC (docs/PROTOCOL.md §2); console queries have no '$'."
          + " Try: help"
      }
    return [.send(ConsoleText.nak(Nak(.malformed, reason: reason)))]
  }
}
