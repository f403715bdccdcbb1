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
  public final class Pump {
    public let firmware: Firmware
    public let port: Port
    var backlog: [UInt8] = []
    /// Bytes dropped because the backlog was full (a host not reading).
    public internal(set) var droppedBytes = 0

    public init(firmware: Firmware, port: Port) {
      self.firmware = firmware
      self.port = port
    }
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
    while true {
      let mono = monotonicMillis()
      let gap = mono - last
      if passes > 0 && gap > watchdogMillis {
        watchdogTrips += 1
        logger.critical("watchdog: loop stalled \(gap) ms (limit \(watchdogMillis) ms)")
        for p in pumps { p.backlog += p.firmware.raiseFault(.watchdog, monoMillis: mono) }
      } else if passes > 0 && gap > 2 * tickMillis {
        lateTicks += 1
      }
      last = mono
      passes += 1
      let wall = wallMillis()
      for (i, p) in pumps.enumerated() {
        service(p, read: passes == 1 || ready.contains(i), mono: mono, wall: wall, buffer: &buffer)
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
        fds.append(pollfd(fd: p.port.pollDescriptor.rawValue, events: Int16(POLLIN), revents: 0))
        if let m = p.port.maximumWaitIfAny {
          timeout = min(timeout, m)
          polled = true
        }
      }
      fds.append(pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0))
      _ = fds.withUnsafeMutableBufferPointer {
        poll($0.baseAddress, nfds_t($0.count), max(timeout, 0))
      }
      // Only ports with something to read are read (a port without inotify is re-checked).
      ready.removeAll(keepingCapacity: true)
      for i in 0..<pumps.count where fds[i].revents != 0 || polled { ready.insert(i) }

      if StopSignal.requested { break }
    }
    let mono = monotonicMillis()
    let wall = wallMillis()
    for p in pumps {
      p.firmware.shutdown(monoMillis: mono, wallMillis: wall)
      flush(p)
      p.port.close()
    }
  }

  private func service(_ p: Pump, read: Bool, mono: Int64, wall: Int64, buffer: inout [UInt8]) {
    var received: [UInt8] = []
    reading: while read && received.count < Self.maxReadPerPass {
      switch p.port.read(into: &buffer) {
      case .bytes(let n): received += buffer[0..<n]
      case .wouldBlock, .closed: break reading
      case .hangup:
        logger.info("\(p.port.path): host hung up; waiting for the next one")
        break reading
      }
    }
    let out = p.firmware.service(received: received, monoMillis: mono, wallMillis: wall)
    if !out.isEmpty {
      if p.backlog.count + out.count > Self.maxBacklog {
        p.droppedBytes += p.backlog.count
        p.backlog.removeAll(keepingCapacity: true)
      }
      p.backlog += out
    }
    flush(p)
  }

  private func flush(_ p: Pump) {
    guard !p.backlog.isEmpty else { return }
    switch p.port.write(p.backlog) {
    case .wrote(let n): p.backlog.removeFirst(n)
    case .noPeer: p.backlog.removeAll(keepingCapacity: true)
    case .wouldBlock, .hangup, .closed: break
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
