import Logging
import PumpCore
import SerialTransport
import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The embedded-style super-loop: one thread, `poll(2)` on the ports (and the stop pipe), no
/// busy waiting and no unbounded queue. Serves one pump (`pumpsim run`) or many
/// (`pumpsim fleet`), each with its own port.
///
/// Tickless when idle: while some pump needs control steps (a motor commanded or moving, a
/// control deadline within one tick) the loop runs at the fixed control tick; otherwise it
/// sleeps until input or the earliest instant a pump asked for (`Firmware.wake(monoMillis:)`:
/// controller and hardware deadlines, session heartbeat and telemetry, the idle alive mark), at
/// most `maxSleepMillis`. A pass services only the pumps that have input or are due.
///
/// Per pass: watchdog check → for each pump with input or due: read what arrived (bounded),
/// `Firmware.service`, write what it produced (bounded backlog; dropped with a count while no
/// host is attached) → wait for input or the next wake.
public final class FirmwareLoop<Port: SerialIO> {
  /// One pump and its ports (port i feeds the firmware's session i).
  public final class Pump {
    public let firmware: Firmware
    public let ports: [Port]
    var backlogs: [[UInt8]]
    /// When this pump next needs a pass (as of its last one).
    var wake = FirmwareWake.never
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
    var hasBacklog: Bool { backlogs.contains { !$0.isEmpty } }
  }

  public let pumps: [Pump]
  public let tickMillis: Int64
  public let watchdogMillis: Int64
  /// Due passes that started too late (each faulted every pump on a real clock).
  public private(set) var watchdogTrips = 0
  /// Due passes that started more than one tick late.
  public private(set) var lateTicks = 0
  /// Loop passes run.
  public private(set) var passes: Int64 = 0
  /// The longest gap a due pass saw, ms: its lateness plus one tick (during therapy, the time
  /// since the previous pass, as before tickless idle). Idle sleeps are not gaps.
  public private(set) var maxGapMillis: Int64 = 0
  var logger: Logger
  /// Reads per pump per pass are bounded, so a flood cannot starve the tick.
  public static var maxReadPerPass: Int { 16 * 1024 }
  /// Output kept for a slow host at most.
  public static var maxBacklog: Int { 64 * 1024 }
  /// The longest idle sleep, ms: a pass that services no pump, a bound on any wake-up the
  /// pumps' own deadlines might miss.
  public static var maxSleepMillis: Int64 { 60_000 }
  /// The wire fast path (ports learn what the loop's poll saw: no inotify read per request, no
  /// `poll(0)` before the reply). On unless `KETAPUMP_WIRE_SLOW_PATH` is set, which exists only
  /// so `pumpbench wire` can measure both paths on the same machine state (docs/benchmarks.md).
  let fastPath = getenv("KETAPUMP_WIRE_SLOW_PATH") == nil

  public init(pumps: [Pump], logger: Logger) {
    self.pumps = pumps
    self.logger = logger
    let profiles = pumps.map { $0.firmware.config.model.profile }
    tickMillis = max(profiles.map(\.controlTick.rawValue).min() ?? 10, 1)
    watchdogMillis = max(profiles.map(\.watchdogTimeout.rawValue).min() ?? 100, tickMillis)
  }

  /// Runs until `stopFD` becomes readable (SIGINT/SIGTERM) and then powers the pumps off.
  ///
  /// Pre-specialised for pumpsim's port type: called from another module, the generic loop
  /// otherwise runs unspecialised (metadata look-ups and witness calls for every array access
  /// and iteration), about 18,000 instructions per request (callgrind, docs/benchmarks.md).
  @_specialize(where Port == VirtualSerialPort)
  public func run(stopFD: Int32) {
    var buffer = [UInt8](repeating: 0, count: 4096)
    var nextTick = monotonicMillis() + tickMillis
    var fds: [pollfd] = []
    fds.reserveCapacity(pumps.count + 1)
    var ready = Set<Int>()
    var watched: [Int] = []
    watched.reserveCapacity(pumps.count)
    var lastRecheck = monotonicMillis()
    // The instant the next pass was due for a control step (nil: none, the loop sleeps until
    // input or housekeeping). Lateness is measured against it, never against the last pass.
    var due: Int64? = nil
    while true {
      let mono = monotonicMillis()
      var tripped = false
      if passes > 0, let due {
        let gap = mono - due + tickMillis
        maxGapMillis = max(maxGapMillis, gap)
        if gap > watchdogMillis {
          tripped = true
          watchdogTrips += 1
          logger.critical("watchdog: loop stalled \(gap) ms (limit \(watchdogMillis) ms)")
          // A pump on a virtual clock missed no control tick: its time stood still meanwhile.
          for p in pumps where p.firmware.clock.mode != .virtual {
            queue(p, p.firmware.raiseFault(.watchdog, monoMillis: mono))
          }
        } else if gap > 2 * tickMillis {
          lateTicks += 1
        }
      }
      passes += 1
      let wall = wallMillis()
      var slot = 0
      for p in pumps {
        let input = p.ports.indices.contains { ready.contains(slot + $0) }
        let isDue = p.wake.ticking || p.hasBacklog || (p.wake.earliest.map { $0 <= mono } ?? false)
        if passes == 1 || tripped || input || isDue {
          service(
            p, firstSlot: slot, ready: ready, all: passes == 1, mono: mono, wall: wall,
            buffer: &buffer)
          p.wake = p.firmware.wake(monoMillis: mono)
        }
        slot += p.ports.count
      }

      if StopSignal.requested { break }
      // The next wake: the fixed tick grid while any pump needs control steps (missed ticks are
      // skipped, not bunched; input may wake the loop between ticks), else the earliest
      // instant a pump asked for.
      let now = monotonicMillis()
      var ticking = false
      var flushing = false
      var control: Int64? = nil
      var earliest: Int64? = nil
      for p in pumps {
        ticking = ticking || p.wake.ticking
        flushing = flushing || p.hasBacklog
        if let c = p.wake.controlDue { control = min(control ?? c, c) }
        if let e = p.wake.earliest { earliest = min(earliest ?? e, e) }
      }
      if now >= nextTick { nextTick += tickMillis * ((now - nextTick) / tickMillis + 1) }
      let wakeAt: Int64
      if ticking || flushing {
        wakeAt = nextTick
        due = ticking ? mono + tickMillis : control
      } else {
        wakeAt = min(earliest ?? now + Self.maxSleepMillis, now + Self.maxSleepMillis)
        due = control
      }
      var timeout = Int32(clamping: max(wakeAt - now, 0))
      fds.removeAll(keepingCapacity: true)
      var polled = false
      var rechecked: [Int] = []
      for p in pumps {
        for port in p.ports {
          if let m = port.maximumWaitIfAny {
            timeout = min(timeout, m)
            if now - lastRecheck >= Int64(m) {
              polled = true
              rechecked.append(fds.count)
            }
          }
          fds.append(pollfd(fd: port.pollDescriptor.rawValue, events: Int16(POLLIN), revents: 0))
        }
      }
      // While a host is attached, its port's inotify watch (another host's open, this one's
      // close) is polled too, after the ports: the port then reads that queue only when it is
      // readable instead of on every read.
      let portCount = fds.count
      watched.removeAll(keepingCapacity: true)
      var slotOfWatch = 0
      for p in pumps {
        for port in p.ports {
          if fastPath, let w = port.watchDescriptor {
            watched.append(slotOfWatch)
            fds.append(pollfd(fd: w.rawValue, events: Int16(POLLIN), revents: 0))
          }
          slotOfWatch += 1
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
      for i in 0..<portCount where fds[i].revents != 0 { ready.insert(i) }
      for i in rechecked { ready.insert(i) }
      // Each port learns what this poll saw (its next write needs no poll of its own); a
      // readable watch makes the port ready, so a host's close is read now.
      var w = 0
      var slotOfPort = 0
      for p in pumps where fastPath {
        for port in p.ports {
          var watchRevents: Int16 = 0
          if w < watched.count, watched[w] == slotOfPort {
            watchRevents = fds[portCount + w].revents
            if watchRevents != 0 { ready.insert(slotOfPort) }
            w += 1
          }
          port.polled(revents: fds[slotOfPort].revents, watchRevents: watchRevents)
          slotOfPort += 1
        }
      }

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
        case .bytes(let n):
          received[k] += buffer[0..<n]
          // A short read emptied the port: a second read would only say EAGAIN (two system
          // calls, with the inotify check). Bytes arriving later wake the next poll.
          if n < buffer.count { break reading }
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
