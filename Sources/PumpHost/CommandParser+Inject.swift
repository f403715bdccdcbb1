import PumpConfig
import PumpCore
import PumpProtocol

extension CommandParser {
  static let injectTargets =
    "downstream, upstream, door, air, mains, battery, stall, runaway, sensorfail, reservoir, "
    + "occlusion, power, link, fault"

  /// `inject <target> <value>` (service role). Also accepts the trace spellings `inject
  /// pressure downstream 12 psi`, `inject motor stall on`, `inject sensor-failure on`.
  static func inject(_ words: [String]) throws(CommandError) -> HostCommand {
    var args = words
    if args.first?.lowercased() == "pressure" || args.first?.lowercased() == "motor" {
      args.removeFirst()
    }
    guard let target = args.first?.lowercased() else {
      throw CommandError("'inject' expects a target (\(injectTargets)) and a value")
    }
    let rest = Array(args.dropFirst())
    func one() throws(CommandError) -> String {
      guard rest.count == 1 else {
        throw CommandError(
          "inject \(target): expected one value, found '\(rest.joined(separator: " "))'")
      }
      return rest[0]
    }
    let injection: Injection
    let summary: String
    switch target {
    case "downstream", "upstream":
      let v = try quantity(rest, .pressure, what: "inject \(target)")
      guard v <= 999_999 else { throw CommandError("inject \(target): at most 999.999 psi") }
      injection =
        target == "downstream"
        ? .downstreamPressure(MilliPSI(v)) : .upstreamPressure(MilliPSI(v))
      summary = "inject \(target) \(Quantity.format(v, as: .pressure))"
    case "door":
      let w = try one().lowercased()
      guard w == "open" || w == "closed" || w == "close" else {
        throw CommandError("inject door: expected open or closed, found '\(w)'")
      }
      injection = .door(open: w == "open")
      summary = "inject door \(w == "open" ? "open" : "closed")"
    case "air":
      let v = try quantity(rest, .volume, what: "inject air")
      guard v <= 999_999 else { throw CommandError("inject air: at most 999999 µL") }
      injection = .airBubble(Microliters(v))
      summary = "inject air \(Quantity.format(v, as: .volume))"
    case "mains":
      let on = try onOff(try one(), "inject mains")
      injection = .mains(present: on)
      summary = "inject mains \(on ? "on" : "off")"
    case "battery":
      let ms = try quantity(rest, .time, what: "inject battery")
      guard ms <= 999_999_999 else { throw CommandError("inject battery: at most 999999999 ms") }
      injection = .batteryRemaining(Milliseconds(ms))
      summary = "inject battery \(Quantity.format(Milliseconds(ms)))"
    case "stall":
      let on = try onOff(try one(), "inject stall")
      injection = .motorStall(on)
      summary = "inject stall \(on ? "on" : "off")"
    case "runaway":
      let on = try onOff(try one(), "inject runaway")
      injection = .motorRunaway(on)
      summary = "inject runaway \(on ? "on" : "off")"
    case "sensorfail", "sensor-failure", "sensor":
      let on = try onOff(try one(), "inject sensorfail")
      injection = .sensorFailure(on)
      summary = "inject sensorfail \(on ? "on" : "off")"
    case "reservoir":
      let v = try quantity(rest, .volume, what: "inject reservoir")
      guard v <= 99_999_999 else { throw CommandError("inject reservoir: at most 99999999 µL") }
      injection = .reservoir(Microliters(v))
      summary = "inject reservoir \(Quantity.format(v, as: .volume))"
    case "occlusion":
      // inject occlusion downstream|upstream on|off
      guard rest.count == 2, ["downstream", "upstream"].contains(rest[0].lowercased()) else {
        throw CommandError("inject occlusion: expected downstream|upstream on|off")
      }
      let on = try onOff(rest[1], "inject occlusion")
      injection =
        rest[0].lowercased() == "downstream" ? .downstreamOcclusion(on) : .upstreamOcclusion(on)
      summary = "inject occlusion \(rest[0].lowercased()) \(on ? "on" : "off")"
    case "power":
      let w = try one().lowercased()
      switch w {
      case "off", "lost", "0": injection = .power(.lost)
      case "on", "restored", "1": injection = .power(.restored)
      case "on-failing", "restored-failing", "2": injection = .power(.restoredSelfTestFailing)
      default: throw CommandError("inject power: expected off, on or on-failing, found '\(w)'")
      }
      summary = "inject power \(w)"
    case "link":
      let on = try onOff(try one(), "inject link")
      injection = .hostLink(connected: on)
      summary = "inject link \(on ? "up" : "down")"
    case "fault":
      let w = try one().lowercased()
      guard let f = WireNames.faults.first(where: { $0.0 == w })?.1 else {
        throw CommandError(
          "inject fault: expected \(WireNames.faults.map(\.0).joined(separator: ", ")), found '\(w)'"
        )
      }
      injection = .fault(f)
      summary = "inject fault \(w)"
    default:
      throw CommandError("inject: unknown target '\(args[0])' (expected \(injectTargets))")
    }
    return HostCommand(request: .inject(injection), raisesDelivery: false, summary: summary)
  }
}
