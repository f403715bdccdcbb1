import PumpConfig
import PumpCore
import PumpHost
import PumpProtocol
import PumpTrace

/// Online replay of parsed traces against pumpsim over the serial line (`OnlineDriver`), with
/// the same results and reports as `OfflineReplay`.
public enum OnlineReplay {
  /// Where the pump comes from.
  public enum Target: Sendable {
    /// A running pumpsim, freshly started (`--clock virtual`, empty state directory): its
    /// ports (one, or service, clinician, patient, vitals) and role keys.
    case running(ports: [String], keys: [Role: RoleKey], deviceId: String?)
    /// A fresh pumpsim per trace (`ReplayPumpSim`): the pumpsim executable and the directory
    /// of pump model files (`<profile id>.yaml`).
    case spawn(pumpsim: String, profiles: String)
  }

  /// Requests the trace's actions need on the wire (vitals series expanded; overlay masking
  /// can only lower it).
  public static func wireActions(_ trace: Trace) -> Int {
    var n = 0
    for s in trace.steps {
      guard case .action(let a) = s.kind else { continue }
      if case .vitalsSeries(let v) = a { n += v.count } else { n += 1 }
    }
    return n
  }

  /// Replays `trace` bound to `setup` on the pump `target` names, then checks it. A trace with
  /// more than `maxWireActions` actions (nil: no limit, the default — the 7-day 1 Hz course,
  /// 606,394 actions, runs online) is reported skipped, with the reason. `feedBatch`: the
  /// driver's monitor feed (`OnlineDriver.feedBatch`; 0 sends every sample alone).
  public static func run(
    _ trace: Trace, setup: TraceSetup, target: Target, keepLog: Bool = false,
    maxWireActions: Int? = nil, feedBatch: Int = OnlineDriver.defaultFeedBatch
  ) -> TraceResult {
    let clock = ContinuousClock()
    let t0 = clock.now
    var result = TraceResult(
      file: trace.file, name: trace.header.name, requirements: trace.header.requirements,
      expectedVerdict: trace.header.expectedVerdict, verdict: .fail, error: nil, expectations: [],
      simulated: trace.end, events: 0, work: 0, wallNanoseconds: 0, log: nil,
      prescription: setup.prescription, policy: setup.policy)
    let actions = wireActions(trace)
    if let limit = maxWireActions, actions > limit {
      result.skipped =
        "skipped online (too long for the wire; offline only): \(actions) wire actions, limit \(limit)"
      return result
    }
    if trace.valueNames.contains(.basalRate) {
      result.skipped =
        "skipped online (offline only): 'expect value basal-rate' reads the active basal rate, which STATUS does not carry (docs/PROTOCOL.md §4.5)"
      return result
    }
    if setup.patient != nil,
      trace.steps.contains(where: { step in
        guard case .action(let a) = step.kind else { return false }
        switch a {
        case .vitals, .vitalsSeries: return true
        default: return false
        }
      })
    {
      result.skipped =
        "skipped online (offline only): a trace naming a patient with its own vitals lines — pumpsim's monitor feeds the model's readings, a host cannot override them (docs/PATIENT.md \"Traces\")"
      return result
    }
    var spawned: ReplayPumpSim? = nil
    defer { spawned?.stop() }
    do {
      let pump: OnlinePump
      switch target {
      case .running(let ports, let keys, let id):
        pump = try connect(ports: ports, keys: keys, deviceId: id)
      case .spawn(let pumpsim, let profiles):
        let p = try ReplayPumpSim(
          executable: pumpsim, profile: "\(profiles)/\(setup.profileID).yaml",
          extra: setup.patient.map { OnlineDriver.pumpsimArguments(for: $0, profiles: profiles) }
            ?? [])
        spawned = p
        pump = try connect(ports: p.ports, keys: p.keys, deviceId: p.deviceId)
      }
      defer { pump.close() }
      var driver = OnlineDriver(pump: pump, trace: trace, setup: setup)
      driver.feedBatch = feedBatch
      var run = try TraceRunner.run(trace, setup: setup, driver: &driver, capturesVitals: keepLog)
      // The samples fed after the runner's last instant (a trace ending on vitals).
      driver.flush(log: &run.log)
      result.events = run.events
      result.work = driver.work
      if let f = driver.failure {
        result.error = "online: \(f)"
      } else {
        result.expectations = TraceChecker.check(
          trace, log: run.log, controlTick: setup.profile.controlTick)
        result.verdict = result.expectations.allSatisfy(\.passed) ? .pass : .fail
      }
      if keepLog { result.log = run.log }
    } catch let e as TraceError {
      result.error = e.message
    } catch {
      result.error = "\(error)"
    }
    let d = clock.now - t0
    result.wallNanoseconds =
      d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    return result
  }

  static func connect(ports: [String], keys: [Role: RoleKey], deviceId: String?) throws(OnlineError)
    -> OnlinePump
  {
    do {
      return try OnlinePump(ports: ports, keys: keys, deviceId: deviceId)
    } catch {
      throw .spawn("cannot connect to \(ports.first ?? "?"): \(error)")
    }
  }

  /// The role keys for `--key FILE`: the device secret (every role key derived), or the
  /// clinician key with its siblings `NAME.patient.key`, `NAME.vitals.key`,
  /// `NAME.service.key` as `pumpsim keygen` writes them (`NAME.clinician.key`).
  public static func loadKeys(path: String) throws(OnlineError) -> (
    deviceId: String, keys: [Role: RoleKey]
  ) {
    do {
      let f = try KeyStore.load(path: path)
      switch f.content {
      case .deviceSecret(let s):
        var keys: [Role: RoleKey] = [:]
        for role in OnlinePump.rolesByPort { keys[role] = try s.roleKey(for: role) }
        return (f.deviceId, keys)
      case .roleKey(let k):
        guard k.role == .clinician else {
          throw OnlineError.keys(
            "\(path) holds the \(k.role.rawValue) key; give the device secret or the clinician key")
        }
        let suffix = ".clinician.key"
        let base = path.hasSuffix(suffix) ? String(path.dropLast(suffix.count)) : path
        var keys: [Role: RoleKey] = [.clinician: k]
        for role in [Role.patient, .vitals, .service] {
          keys[role] = try KeyStore.loadRoleKey(path: "\(base).\(role.rawValue).key", role: role)
            .key
        }
        return (f.deviceId, keys)
      }
    } catch let e as OnlineError {
      throw e
    } catch {
      throw .keys("\(error)")
    }
  }
}
