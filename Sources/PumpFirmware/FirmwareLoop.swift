import Logging
import PumpCore
import SerialTransport
import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The embedded-style super-loop: one thread, a fixed control tick, `poll(2)` on the ports
/// (and the stop pipe) with the next tick as timeout, no busy waiting and no unbounded queue.
/// Serves one pump (`pumpsim run`) or many (`pumpsim fleet`), each with its own port.
///
/// Per tick: watchdog check → for each pump: read what arrived (bounded), `Firmware.service`,
/// write what it produced (bounded backlog; dropped with a count while no host is attached)
/// → wait for input or the next tick.
public final class FirmwareLoop<Port: SerialIO> {
  /// One pump and its ports (port i feeds the firmware's session i).
  public final class Pump {
    public let firmware: Firmware
    public let ports: [Port]
    var backlogs: [[UInt8]]
    /// Bytes dropped because a backlog was full (a host not reading).
    public internal(set) var droppedBytes = 0

    public init(firmware: Firmware, ports: [Port]) {
      self.firmware = firmware
      self.ports = ports
      backlogs = Array(repeating: [], count: ports.count)
    }

    public convenience init(firmware: Firmware, port: Port) {
      self.init(firmware: firmware, ports: [port])
    }

    /// The first port.
    public var port: Port { ports[0] }
  }

  public let pumps: [Pump]
  public let tickMillis: Int64
  public let watchdogMillis: Int64
  /// Ticks whose gap exceeded the watchdog timeout (each faulted every pump).
  public private(set) var watchdogTrips = 0
  /// Ticks that started later than one tick after the previous one.
  public private(set) var lateTicks = 0
  /// Loop passes run.
  public private(set) var passes: Int64 = 0
  /// The longest gap between two passes, ms.
  public private(set) var maxGapMillis: Int64 = 0
  var logger: Logger
  /// Reads per pump per pass are bounded, so a flood cannot starve the tick.
  public static var maxReadPerPass: Int { 16 * 1024 }
  /// Output kept for a slow host at most.
  public static var maxBacklog: Int { 64 * 1024 }

  public init(pumps: [Pump], logger: Logger) {
    self.pumps = pumps
    self.logger = logger
    let profiles = pumps.map { $0.firmware.config.model.profile }
    tickMillis = max(profiles.map(\.controlTick.rawValue).min() ?? 10, 1)
    watchdogMillis = max(profiles.map(\.watchdogTimeout.rawValue).min() ?? 100, tickMillis)
  }

  /// Runs until `stopFD` becomes readable (SIGINT/SIGTERM) and then powers the pumps off.
  public func run(stopFD: Int32) {
    var buffer = [UInt8](repeating: 0, count: 4096)
    var last = monotonicMillis()
    var nextTick = last + tickMillis
    var fds: [pollfd] = []
    fds.reserveCapacity(pumps.count + 1)
    var ready = Set<Int>()
    var lastRecheck = last
    while true {
      let mono = monotonicMillis()
      let gap = mono - last
      if passes > 0 { maxGapMillis = max(maxGapMillis, gap) }
      if passes > 0 && gap > watchdogMillis {
        watchdogTrips += 1
        logger.critical("watchdog: loop stalled \(gap) ms (limit \(watchdogMillis) ms)")
        // A pump on a virtual clock missed no control tick: its time stood still meanwhile.
        for p in pumps where p.firmware.clock.mode != .virtual {
          queue(p, p.firmware.raiseFault(.watchdog, monoMillis: mono))
        }
      } else if passes > 0 && gap > 2 * tickMillis {
        lateTicks += 1
      }
      last = mono
      passes += 1
      let wall = wallMillis()
      var slot = 0
      for p in pumps {
        service(
          p, firstSlot: slot, ready: ready, all: passes == 1, mono: mono, wall: wall,
          buffer: &buffer)
        slot += p.ports.count
      }

      if StopSignal.requested { break }
      // Next tick on the fixed grid (input may wake the loop between ticks); missed ticks are
      // skipped, not bunched.
      let now = monotonicMillis()
      if now >= nextTick { nextTick += tickMillis * ((now - nextTick) / tickMillis + 1) }
      var timeout = Int32(nextTick - now)
      fds.removeAll(keepingCapacity: true)
      var polled = false
      for p in pumps {
        for port in p.ports {
          fds.append(pollfd(fd: port.pollDescriptor.rawValue, events: Int16(POLLIN), revents: 0))
          if let m = port.maximumWaitIfAny {
            timeout = min(timeout, m)
            if now - lastRecheck >= Int64(m) { polled = true }
          }
        }
      }
      fds.append(pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0))
      _ = fds.withUnsafeMutableBufferPointer {
        poll($0.baseAddress, nfds_t($0.count), max(timeout, 0))
      }
      // Only ports with something to read are read; ports without inotify are re-checked
      // (read, which refreshes their attach state) every `maximumWaitMs`.
      if polled { lastRecheck = now }
      ready.removeAll(keepingCapacity: true)
      for i in 0..<(fds.count - 1) where fds[i].revents != 0 || polled { ready.insert(i) }

      if StopSignal.requested { break }
    }
    let mono = monotonicMillis()
    let wall = wallMillis()
    for p in pumps {
      p.firmware.shutdown(monoMillis: mono, wallMillis: wall)
      flush(p)
      for port in p.ports { port.close() }
    }
  }

  private func service(
    _ p: Pump, firstSlot: Int, ready: Set<Int>, all: Bool, mono: Int64, wall: Int64,
    buffer: inout [UInt8]
  ) {
    var received = [[UInt8]](repeating: [], count: p.ports.count)
    var hungUp: [Int] = []
    for (k, port) in p.ports.enumerated() where all || ready.contains(firstSlot + k) {
      reading: while received[k].count < Self.maxReadPerPass {
        switch port.read(into: &buffer) {
        case .bytes(let n): received[k] += buffer[0..<n]
        case .wouldBlock, .closed: break reading
        case .hangup:
          logger.info("\(port.path): host hung up; waiting for the next one")
          hungUp.append(k)
          break reading
        }
      }
    }
    queue(p, p.firmware.service(received: received, monoMillis: mono, wallMillis: wall))
    // What the last host sent before hanging up was served; its session ends now, and replies
    // meant for it never reach the next host.
    for k in hungUp {
      p.firmware.hangUp(port: k, monoMillis: mono)
      p.backlogs[k].removeAll(keepingCapacity: true)
    }
    flush(p)
  }

  private func queue(_ p: Pump, _ out: [[UInt8]]) {
    for k in p.ports.indices where k < out.count && !out[k].isEmpty {
      if p.backlogs[k].count + out[k].count > Self.maxBacklog {
        p.droppedBytes += p.backlogs[k].count
        p.backlogs[k].removeAll(keepingCapacity: true)
      }
      p.backlogs[k] += out[k]
    }
  }

  private func flush(_ p: Pump) {
    for k in p.ports.indices where !p.backlogs[k].isEmpty {
      switch p.ports[k].write(p.backlogs[k]) {
      case .wrote(let n): p.backlogs[k].removeFirst(n)
      case .noPeer: p.backlogs[k].removeAll(keepingCapacity: true)
      case .wouldBlock, .hangup, .closed: break
      }
    }
  }
}

/// Monotonic clock, ms.
public func monotonicMillis() -> Int64 { Int64(MonotonicClock.nanoseconds() / 1_000_000) }

/// Real-time clock, ms since the epoch (journal downtime only).
public func wallMillis() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_REALTIME, &ts)
  return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

extension SerialIO {
  /// `VirtualSerialPort.maximumWaitMs` for ports that have one.
  var maximumWaitIfAny: Int32? { (self as? VirtualSerialPort)?.maximumWaitMs }
}
