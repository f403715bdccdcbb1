import PumpCore
import PumpHardware
import PumpProtocol

extension Injection {
  /// The change to the simulated mechanism an `INJECT` stands for (docs/PROTOCOL.md §4.3,
  /// §4.3.1), or nil for the targets that are controller or shell inputs (`POWER`, `LINK`,
  /// `FAULT`). `SimulatedHardware.apply` carries it out, as it does for replay and explorers.
  var hardware: HardwareInjection? {
    switch self {
    case .upstreamPressure(let p): .pressure(downstream: false, p)
    case .downstreamPressure(let p): .pressure(downstream: true, p)
    case .upstreamOcclusion(let on): .occlusion(downstream: false, on: on)
    case .downstreamOcclusion(let on): .occlusion(downstream: true, on: on)
    case .door(let open): .door(open: open)
    case .airBubble(let v): .air(v)
    case .mains(let present): .mains(on: present)
    case .batteryRemaining(let ms): .battery(ms)
    case .motorStall(let on): .motorStall(on)
    case .motorRunaway(let on): .motorRunaway(on)
    case .sensorFailure(let on): .sensorFailure(on)
    case .reservoir(let v): .reservoir(v)
    case .power, .hostLink, .fault: nil
    }
  }
}
