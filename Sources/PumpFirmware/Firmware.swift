import Crypto
import Logging
import PumpCore
import PumpHardware
import PumpProtocol

/// One simulated pump's firmware, without I/O on the serial line: bytes in, bytes out, time
/// passed in (`monoMillis` from the monotonic clock, `wallMillis` from the real-time clock).
/// It owns the controller on its hardware (`PumpMachine`), one protocol session per serial
/// port (`FirmwareConfig.ports`, default 1: a pump may have a monitor port and a service port,
/// each authenticated on its own), the journal and the virtual clock. `FirmwareLoop` moves the
/// bytes; tests can drive it directly.
///
/// Order per `service` call: clock → catch up to deadlines → received bytes (requests are
/// journaled before they are applied) → session timers → EVT frames for the effects →
/// telemetry when due → "alive" mark in NV memory.
public final class Firmware {
  public let config: FirmwareConfig
  /// The pure machine with its journal (`JournaledMachine`); `machine` is its rig machine.
  public private(set) var core: JournaledMachine<Journal>
  public internal(set) var machine: PumpMachine {
    get { core.machine }
    _modify { yield &core.machine }
  }
  /// One device session per port.
  public private(set) var sessions: [DeviceSession]
  /// The first port's session.
  public var session: DeviceSession { sessions[0] }
  public private(set) var clock: VirtualClock
  private let journal: Journal?
  /// Why the pump came up in fault without a journal (corrupt or foreign), if it did.
  public let journalFault: String?
  /// The non-volatile audit trail (nil only when the state directory is unusable).
  public let auditLog: AuditLog?
  /// The last audit records, newest last (bounded by `AuditLog.capacity`).
  public var audit: [AuditRecord] { auditLog?.records ?? [] }
  var logger: Logger
  /// Requests executed since power-on (for tests and benchmarks).
  public private(set) var executed = 0
  /// When (monotonic ms) the alive mark was last written.
  public private(set) var aliveMarkMono: Int64
  /// The simulated world on pump time, if any (`attach(_:)`, Firmware+World.swift).
  public internal(set) var world: FirmwareWorld? = nil

  /// Powers the pump on: opens or creates the journal, rebuilds the state it holds (a restart
  /// comes up with its history, paused), and runs the self-test. Throws when the state
  /// directory cannot be used at all; a corrupt or foreign journal instead gives a pump in
  /// fault (`journalFault`) that leaves the file untouched.
  public init(config: FirmwareConfig, monoMillis: Int64, wallMillis: Int64) throws(JournalError) {
    self.config = config
    logger = config.logger
    aliveMarkMono = monoMillis
    let profile = config.model.profile
    let header = Firmware.journalHeader(for: config)
    var info = DeviceInfo(
      deviceId: config.deviceId, firmwareVersion: config.firmwareVersion,
      hardwareProfile: config.model.id, capabilities: .simulator)
    info.deviceId = config.deviceId
    var sessionConfig = DeviceSessionConfig(info: info)
    sessionConfig.telemetryHertz = config.telemetryHertz
    sessionConfig.heartbeatTimeout = config.heartbeatTimeout
    sessionConfig.lineBytesPerSecond = config.lineBaud.map { $0 / 10 }
    sessions = (0..<max(config.ports, 1)).map { _ in
      DeviceSession(
        config: sessionConfig, secret: config.secret, random: SystemRandomNumberGenerator())
    }
    var initial = PumpMachine(profile: profile, formulary: config.formulary, now: .zero)

    var opened: Journal? = nil
    var fault: String? = nil
    var faultCode = FaultCode.journal
    var restored: JournalRestore.Restored? = nil
    var contents: Journal.Contents? = nil
    do {
      opened = try Journal(directory: config.stateDirectory, header: header)
      contents = opened?.takeContents()
      if let c = contents {
        restored = try JournalRestore.restore(
          c.image, profile: profile, formulary: config.formulary)
      }
    } catch {
      switch error {
      case .corrupt, .foreign: fault = "\(error)"
      case .version:
        fault = "\(error)"
        faultCode = .journalVersion
      default: throw error
      }
      if opened != nil {
        // Refused after opening: nothing more is written to it.
        opened = nil
        fault = fault ?? "\(error)"
      }
    }
    journal = opened
    journalFault = fault
    if fault == nil, let restored { initial = restored.machine }
    core = JournaledMachine(machine: initial, storage: fault == nil ? opened : nil)
    // Beside the journal, and kept even when the journal is refused: the trail of who tried
    // what matters most exactly then.
    auditLog = AuditLog(directory: config.stateDirectory)
    if let e = auditLog?.lastError { logger.critical("audit log: \(e)") }
    if let n = auditLog?.damagedRecords, n > 0 {
      logger.warning("audit log: skipped \(n) damaged records")
    }
    var bootAt = Milliseconds.zero
    var alive = Milliseconds.zero
    if fault == nil, let restored, let contents {
      alive = contents.lastAlive.map { max($0.t, restored.lastTime) } ?? restored.lastTime
      // Real clock: the outage counts (lockouts and windows keep running). Virtual clock: pump
      // time stands still while the process is down (docs/FIRMWARE.md "Clock").
      let down =
        config.clockMode == .virtual
        ? 0 : contents.lastAlive.map { max(wallMillis - $0.wallMillis, 0) } ?? 0
      bootAt = alive + Milliseconds(down * config.speed.factor)
    }
    clock = VirtualClock(speed: config.speed, start: bootAt, mono: monoMillis)
    if let fault {
      machine.apply(.selfTest(passed: true), at: .zero)
      machine.apply(.fault(faultCode), at: .zero)
      logger.critical(
        "journal refused, pump in fault: \(fault); move the state directory away to start afresh")
    } else if let restored, let contents {
      machine.powerCycle(lostAt: alive, restoredAt: bootAt)
      try opened?.append(.boot(at: bootAt, lostAt: alive, wallMillis: wallMillis))
      logger.notice(
        "restored from a snapshot and \(restored.replayed) journal records, power lost at \(alive.rawValue) ms, up at \(bootAt.rawValue) ms, mode \(machine.controller.mode)"
      )
      if contents.image.discardedBytes > 0 {
        logger.warning("journal: cut a torn last record (\(contents.image.discardedBytes) bytes)")
      }
    } else {
      try opened?.append(.boot(at: .zero, lostAt: nil, wallMillis: wallMillis))
      record(.selfTest(passed: true), at: .zero)
    }
    if config.clockMode == .virtual { clock.set(.virtual, mono: monoMillis) }
    _ = machine.drainEffects()
    if core.storage != nil, core.snapshotOutdated { try core.writeSnapshot(at: bootAt) }
    opened?.markAlive(bootAt, wallMillis: wallMillis)
  }

  /// A snapshot is written at least this often (pump time) while records arrive, and after at
  /// most `snapshotEveryRecords` records: a restart applies at most that many.
  public static var snapshotInterval: Milliseconds { JournaledMachine<Journal>.snapshotInterval }
  public static var snapshotEveryRecords: Int { JournaledMachine<Journal>.snapshotEveryRecords }

  private func snapshotIfDue(at t: Milliseconds) {
    if let e = core.snapshotIfDue(at: t) {
      logger.critical("journal snapshot failed: \(e); faulting")
    }
  }

  /// The journal header a pump with `config` writes and expects.
  public static func journalHeader(for config: FirmwareConfig) -> JournalHeader {
    JournalHeader(
      firmwareVersion: config.firmwareVersion, deviceId: config.deviceId,
      keyFingerprint: Firmware.fingerprint(config.secret), profileId: config.model.id,
      profileDigest: String(config.modelDigest.prefix(16)),
      drugLibraryDigest: String(config.drugLibraryDigest.prefix(16)))
  }

  /// A non-secret fingerprint of the device key: the first 16 hex digits of SHA-256 of the
  /// observer role key (itself a one-way derivation of the secret).
  static func fingerprint(_ secret: DeviceSecret) -> String {
    guard let k = try? secret.roleKey(for: .clinician) else { return "none" }
    let digest = SHA256.hash(data: Array(k.hexForKeyFile.utf8))
    return String(Hex.encode(Array(digest)).prefix(16))
  }

  // MARK: Running

  /// Pump time now.
  public func now(mono: Int64) -> Milliseconds { clock.now(mono: mono) }

  /// One pass of the loop for a one-port pump: returns the bytes to write to the link.
  public func service(received: [UInt8], monoMillis: Int64, wallMillis: Int64) -> [UInt8] {
    service(received: [received], monoMillis: monoMillis, wallMillis: wallMillis)[0]
  }

  /// One pass of the loop: `received[i]` arrived on port i; returns what to write to each port.
  public func service(received: [[UInt8]], monoMillis: Int64, wallMillis: Int64) -> [[UInt8]] {
    var out = [[UInt8]](repeating: [], count: sessions.count)
    let t = clock.now(mono: monoMillis)
    advance(to: t)
    for port in sessions.indices {
      if port < received.count, !received[port].isEmpty {
        for action in sessions[port].receive(bytes: received[port], now: Milliseconds(monoMillis)) {
          perform(action, port: port, monoMillis: monoMillis, out: &out)
        }
      }
      for action in sessions[port].tick(now: Milliseconds(monoMillis)) {
        perform(action, port: port, monoMillis: monoMillis, out: &out)
      }
    }
    snapshotIfDue(at: t)
    emitEvents(into: &out)
    journal?.markAlive(clock.now(mono: monoMillis), wallMillis: wallMillis)
    aliveMarkMono = monoMillis
    return out
  }

  /// The host on `port` hung up: its session ends now (see `DeviceSession.hangUp(now:)`).
  /// Call after servicing the bytes it sent before hanging up.
  public func hangUp(port: Int, monoMillis: Int64) {
    guard sessions.indices.contains(port) else { return }
    var out = [[UInt8]](repeating: [], count: sessions.count)
    for action in sessions[port].hangUp(now: Milliseconds(monoMillis)) {
      perform(action, port: port, monoMillis: monoMillis, out: &out)
    }
  }

  /// Journals and applies one input at the pump time of `monoMillis`, as a host request would
  /// (for benchmarks and tests that drive the machine without a session), then takes a snapshot
  /// if one is due.
  @discardableResult
  public func input(_ input: FirmwareInput, monoMillis: Int64) -> CommandResult {
    let t = clock.now(mono: monoMillis)
    advance(to: t)
    let r = record(input, at: t)
    _ = machine.drainEffects()
    return r
  }

  /// Journal bytes on disk (header, records, snapshots), and compactions since power-on.
  public var journalBytes: Int { journal?.length ?? 0 }
  public var journalCompactions: Int { journal?.compactions ?? 0 }

  /// A fault found by the loop (watchdog): journaled and applied now.
  public func raiseFault(_ code: FaultCode, monoMillis: Int64) -> [[UInt8]] {
    let t = clock.now(mono: monoMillis)
    record(.fault(code), at: t)
    var out = [[UInt8]](repeating: [], count: sessions.count)
    emitEvents(into: &out)
    return out
  }

  /// Power off (SIGTERM/SIGINT): motor stopped, NV memory forced to disk. The next start is
  /// a power cycle from the journal.
  public func shutdown(monoMillis: Int64, wallMillis: Int64) {
    let t = clock.now(mono: monoMillis)
    advance(to: t)
    world?.poweringOff(at: t)
    journal?.markAlive(t, wallMillis: wallMillis)
    journal?.sync()
    auditLog?.sync()
  }

  /// The next instant (monotonic ms) the loop must run for the pump's own sake: a controller
  /// or hardware deadline, mapped back through the clock (nil: none, or the clock is virtual).
  public func nextWake(monoMillis: Int64) -> Int64? {
    guard clock.mode == .real, !machine.off else { return nil }
    var next = machine.controller.nextDeadline()
    if let h = machine.rig.hardware.nextDeadline(), h < next { next = h }
    // The controller says Int64.max when it has no deadline.
    guard next.rawValue != Int64.max else { return nil }
    let t = clock.now(mono: monoMillis)
    let ahead = max((next - t).rawValue, 0)
    return monoMillis + (ahead + clock.speed.factor - 1) / clock.speed.factor
  }

  // MARK: Requests

  private func perform(
    _ action: DeviceSessionAction, port: Int, monoMillis: Int64, out: inout [[UInt8]]
  ) {
    switch action {
    case .send(let bytes), .resendCached(let bytes): out[port] += bytes
    case .execute(let pending):
      let result = execute(pending.request, monoMillis: monoMillis)
      executed += 1
      // The request's events go out before its reply, on every port (docs/PROTOCOL.md §4.6):
      // a host that has the ACK has every EVT the request caused.
      emitEvents(into: &out)
      for a in sessions[port].complete(pending, with: result, now: Milliseconds(monoMillis)) {
        perform(a, port: port, monoMillis: monoMillis, out: &out)
      }
    case .audit(let record):
      auditLog?.append(record)
      logger.info("audit: \(record)")
    case .linkEstablished(let role):
      logger.info("host logged in as \(role.rawValue) on port \(port)")
      record(.hostLink(connected: true), at: clock.now(mono: monoMillis))
    case .linkLost:
      logger.warning("host link lost on port \(port) (heartbeat timeout or hang-up)")
      record(.hostLink(connected: false), at: clock.now(mono: monoMillis))
    case .loggedOut(let role): logger.info("host (\(role.rawValue)) logged out")
    case .securityAlert(let alert):
      if alert { logger.warning("repeated failed logins on port \(port): link-security alarm") }
      record(.linkSecurity(alert: alert), at: clock.now(mono: monoMillis))
    case .sendTelemetry:
      let t = clock.now(mono: monoMillis)
      out[port] += sessions[port].telemetryFrame(Telemetry(machine.snapshot(at: t)))
    }
  }

  private func execute(_ request: HostRequest, monoMillis: Int64) -> CommandResult {
    let t = clock.now(mono: monoMillis)
    if let input = FirmwareInput(request) {
      return record(input, at: t)
    }
    switch request {
    case .status: return .status(Telemetry(machine.snapshot(at: t)))
    case .alarms: return .alarms(AlarmStatus.active(in: machine.controller))
    case .logTail(let back):
      let log = machine.controller.log
      guard back < log.count else { return .rejected(.invalidValue) }
      let e = log[log.count - 1 - back]
      return .log(LogEntry(back: back, available: log.count, text: LogText.line(e)))
    case .audit(let back):
      guard let e = auditLog?.entry(back: back) else { return .rejected(.invalidValue) }
      return .audit(e)
    case .patient:
      // Simulator only, read-only: the world's state as it stands; nothing is journaled or
      // applied (docs/PROTOCOL.md §4.2.2).
      guard let p = (world as? PatientWorld)?.readout else { return .noPatient }
      return .patient(p)
    case .clock(.advance(let d)):
      clock.advance(by: d)
      advance(to: clock.now(mono: monoMillis))
      return .accepted
    case .clock(.mode(let m)):
      clock.set(m, mono: monoMillis)
      return .accepted
    case .clock(.advanceWithVitals(let d, let v)):
      // A harness's monitor feed (docs/PROTOCOL.md §4.3.2): only a clock nobody else moves.
      guard clock.mode == .virtual else { return .rejected(.notAllowedInMode) }
      clock.advance(by: d)
      let now = clock.now(mono: monoMillis)
      advance(to: now)
      // Answered as STATUS is (the pump after the sample): a harness sampling at every
      // sample needs no second request (§4.3.2).
      let r = record(.event(.vitals(v)), at: now)
      return r == .accepted ? .status(Telemetry(machine.snapshot(at: now))) : r
    default: return .rejected(.notAllowedInMode)
    }
  }

  /// Journals an input (write-ahead), then applies it (`JournaledMachine.record`). If the
  /// journal cannot be written the input is refused and the pump faults.
  @discardableResult
  func record(_ input: FirmwareInput, at t: Milliseconds) -> CommandResult {
    let (result, error) = core.record(input, at: t)
    if let error { logger.critical("journal write failed: \(error); faulting") }
    return result
  }

  /// EVT frames for the effects so far, to every port whose host said HELLO.
  private func emitEvents(into out: inout [[UInt8]]) {
    let effects = machine.drainEffects()
    guard !effects.isEmpty else { return }
    for port in sessions.indices where sessions[port].protocolVersion != nil {
      for e in effects {
        for ev in DeviceEvent.events(for: e, controller: machine.controller) {
          out[port] += sessions[port].eventFrame(ev)
        }
      }
    }
  }
}
