import Foundation
import SerialTransport
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A fault-injecting line between a host tool and a pump: it opens the pump's port as a host
/// would (`SerialDevice`) and offers hosts a new virtual port (its own link), forwarding both
/// directions in one `poll(2)` loop while flipping bits, dropping, duplicating and truncating
/// frames and splitting writes, independently per direction and reproducibly from a seed
/// (`NoiseRelayConfig`). `counters` says what it did.
///
///     let relay = try NoiseRelay(config: NoiseRelayConfig(
///       pumpPath: pumpLink, hostLink: "/tmp/noisy", toPump: .issue7, toHost: .issue7, seed: 7))
///     relay.start()                 // background thread
///     let c = try PumpClient.open(path: "/tmp/noisy", key: key)
///     …
///     relay.stop()
///     print(relay.counters)
///
/// If the pump's port hangs up (pumpsim exited) the relay drops what the host sends and tries
/// to reopen the pump's path every 500 ms. Threads: the loop state belongs to the thread that
/// runs `run(until:)` (or the one `start()` spawns); `counters`, `stop()` and `close()` may be
/// called from any thread.
public final class NoiseRelay: @unchecked Sendable {
  public let config: NoiseRelayConfig
  /// The host side: hosts open `hostPort.path` (the configured link).
  public let hostPort: VirtualSerialPort
  private var pump: SerialDevice?
  private var toPump: NoiseRelayDirection
  private var toHost: NoiseRelayDirection
  private var random: SeededGenerator
  private var lastReopenMs: Int64 = 0
  private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
  private let stopRequested = Atomic<Bool>(false)
  private let published = Mutex((toPump: NoiseRelayCounters(), toHost: NoiseRelayCounters()))
  private let finished = DispatchSemaphore(value: 0)
  private let running = Atomic<Bool>(false)

  /// Opens the pump's port and creates the host-side virtual port.
  /// - Throws: `TransportError` from opening the pump's port or creating the host side (the
  ///   pump's port is closed again then). Fault settings are not checked here: call
  ///   `NoiseRelayFaults.problem()` first.
  public init(config: NoiseRelayConfig) throws(TransportError) {
    self.config = config
    random = SeededGenerator(seed: config.seed)
    toPump = NoiseRelayDirection(faults: config.toPump, random: &random)
    toHost = NoiseRelayDirection(faults: config.toHost, random: &random)
    let device = try SerialDevice.open(path: config.pumpPath)
    do {
      hostPort = try VirtualSerialPort.create(
        name: config.name, link: config.hostLink, runDirectory: config.runDirectory)
    } catch {
      device.close()
      throw error
    }
    pump = device
  }

  deinit { close() }

  /// What the relay did so far, per direction (updated after every pass).
  public var counters: (toPump: NoiseRelayCounters, toHost: NoiseRelayCounters) {
    published.withLock { $0 }
  }

  /// Runs the loop on a new thread until `stop()`.
  public func start() {
    guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let thread = Thread { [self] in
      run { stopRequested.load(ordering: .relaxed) }
      finished.signal()
    }
    thread.name = "NoiseRelay"
    thread.start()
  }

  /// Ends the loop started by `start()` and waits for it (at most one pass, ≤ 100 ms).
  public func stop() {
    stopRequested.store(true, ordering: .relaxed)
    if running.exchange(false, ordering: .acquiringAndReleasing) { finished.wait() }
  }

  /// Stops the loop, closes both ports and removes the link. Idempotent.
  public func close() {
    stop()
    pump?.close()
    pump = nil
    hostPort.close()
  }

  /// Forwards until `shouldStop()` returns true (checked at least every 100 ms).
  public func run(until shouldStop: () -> Bool) {
    while !shouldStop() { pass() }
    publish()
  }

  /// One pass: wait for input (or the next piece to write), read both sides, fault, write.
  func pass() {
    let pending = !toPump.output.isEmpty || !toHost.output.isEmpty
    let partial = toPump.hasPartialFrame || toHost.hasPartialFrame
    var fds = [hostPort.pollDescriptor]
    if let pump { fds.append(pump.pollDescriptor) }
    if pending {
      usleep(UInt32(max(config.pieceGapMicroseconds, 0)))  // reads below never block
    } else {
      let timeout: Int32 = partial ? Int32(max(config.flushAfterMs, 1)) : 100
      _ = try? waitReadable(
        fds, timeoutMs: hostPort.maximumWaitMs.map { min($0, timeout) } ?? timeout)
    }
    let now = Self.monotonicMs()
    if pump == nil, now - lastReopenMs >= 500 {
      lastReopenMs = now
      pump = try? SerialDevice.open(path: config.pumpPath)
    }
    readPump(now: now)
    readHost(now: now)
    toPump.flushIfIdle(nowMs: now, afterMs: config.flushAfterMs, random: &random)
    toHost.flushIfIdle(nowMs: now, afterMs: config.flushAfterMs, random: &random)
    writePump()
    writeHost()
    publish()
  }

  private func readPump(now: Int64) {
    while let device = pump {
      switch device.read(into: &buffer) {
      case .bytes(let n):
        toHost.receive(
          buffer[0..<n], nowMs: now, maximumFrame: config.maximumFrame, random: &random)
      case .wouldBlock: return
      case .hangup, .closed:
        device.close()
        pump = nil
        lastReopenMs = now
        return
      }
    }
  }

  private func readHost(now: Int64) {
    while true {
      switch hostPort.read(into: &buffer) {
      case .bytes(let n):
        toPump.receive(
          buffer[0..<n], nowMs: now, maximumFrame: config.maximumFrame, random: &random)
      case .wouldBlock, .closed: return
      case .hangup: continue  // a host left; the next one attaches later
      }
    }
  }

  private func writePump() {
    guard !toPump.output.isEmpty else { return }
    guard let device = pump else { return toPump.discardOutput() }
    switch device.write(Array(toPump.nextWrite)) {
    case .wrote(let n): toPump.wrote(n)
    case .wouldBlock: return
    case .hangup, .noPeer, .closed: toPump.discardOutput()
    }
  }

  private func writeHost() {
    guard !toHost.output.isEmpty else { return }
    switch hostPort.write(Array(toHost.nextWrite)) {
    case .wrote(let n): toHost.wrote(n)
    case .wouldBlock: return
    case .hangup, .noPeer, .closed: toHost.discardOutput()
    }
  }

  private func publish() {
    let snapshot = (toPump: toPump.counters, toHost: toHost.counters)
    published.withLock { $0 = snapshot }
  }

  static func monotonicMs() -> Int64 { Int64(MonotonicClock.nanoseconds() / 1_000_000) }
}
