// The `firmware` suite: pumpsim as a process on a real pty, measured from outside: command→ACK
// round trip, sustained 100 Hz telemetry, CPU and RSS idle and infusing, idle fleets of 100 and
// 500 (larger ones: `pumpbench fleet`, FleetBench.swift).
import Foundation
import PumpConfig
import PumpCore
import PumpFirmware
import PumpHost
import PumpProtocol
import PumpReplay
import SerialTransport

/// A pumpsim child process (release build beside pumpbench), started through PumpReplay's
/// `PumpSimProcess` (log in a temporary file, bounded ready wait, killed on deinit), plus the
/// /proc figures the bench reports.
final class Sim {
  let pumpsim: PumpSimProcess
  var port: String { pumpsim.port }

  init(_ args: [String]) throws {
    let dir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
    do {
      pumpsim = try PumpSimProcess(
        executable: "\(dir)/pumpsim", arguments: args,
        logPath: NSTemporaryDirectory() + "ketapump-bench-pumpsim-\(getpid()).log",
        readyTimeout: 60)
    } catch {
      throw BenchFailure("pumpsim did not start: \(error)")
    }
    if port.isEmpty && !pumpsim.readyLine.contains("fleet") {
      throw BenchFailure("pumpsim did not start: \(pumpsim.readyLine)")
    }
  }

  func stop() { pumpsim.stop(SIGTERM, timeout: 60) }

  /// User+system CPU seconds and RSS (kB) from /proc.
  func usage() -> (cpu: Double, rssKB: Int) {
    let pid = pumpsim.pid
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    let cpu = fields.count > 13 ? (Double(fields[11])! + Double(fields[12])!) / ticks : 0
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let rss =
      status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
      .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
    return (cpu, rss)
  }

  /// Proportional set size (kB): shared libraries counted by share, not whole.
  func pss() -> Int {
    let rollup =
      (try? String(
        contentsOfFile: "/proc/\(pumpsim.pid)/smaps_rollup", encoding: .utf8))
      ?? ""
    return rollup.split(separator: "\n").first { $0.hasPrefix("Pss:") }
      .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
  }

  /// CPU share (%) over `seconds` of wall time, and RSS at the end.
  func measure(seconds: Double) -> (percent: Double, rssKB: Int) {
    let a = usage()
    let t0 = Date()
    Thread.sleep(forTimeInterval: seconds)
    let b = usage()
    return (100 * (b.cpu - a.cpu) / Date().timeIntervalSince(t0), b.rssKB)
  }
}

struct BenchFailure: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

private func percentile(_ sorted: [Double], _ p: Double) -> Double {
  sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

/// Keys for a bench pump in a fresh directory.
private func benchKeys(_ id: String) throws -> (dir: String, device: String) {
  let dir = NSTemporaryDirectory() + "ketapump-bench-\(id)-\(getpid())"
  try? FileManager.default.removeItem(atPath: dir)
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  var rng = SystemRandomNumberGenerator()
  let secret = DeviceSecret.generate(using: &rng)
  try KeyStore.write(KeyFile(deviceId: id, content: .deviceSecret(secret)), path: "\(dir)/d.key")
  for role in [Role.clinician, .vitals, .service] {
    try KeyStore.write(
      KeyFile(deviceId: id, content: .roleKey(try secret.roleKey(for: role))),
      path: "\(dir)/d.\(role.rawValue).key")
  }
  return (dir, "\(dir)/d.key")
}

private func client(_ port: String, _ dir: String, _ role: Role?) throws -> PumpClient {
  let key = try role.map {
    try KeyStore.loadRoleKey(path: "\(dir)/d.\($0.rawValue).key", role: $0).key
  }
  let c = try PumpClient.open(path: port, key: key)
  try c.hello()
  if key != nil { try c.login() }
  return c
}

/// `pumpbench firmware [--quick]`.
func runFirmwareBench(_ args: [String]) throws -> [BenchRow] {
  let quick = args.contains("--quick")
  var rows: [BenchRow] = []
  let (dir, key) = try benchKeys("KP-BENCH-FW")
  let runDir = "\(dir)/run"
  let common = ["--key", key, "--run-dir", runDir, "--json", "--log-level", "error"]

  // 1. Command → ACK round trip (a MAC'd PING in a clinician session), idle pump.
  let sim = try Sim(["run"] + common + ["--telemetry-hz", "0", "--state-dir", "\(dir)/s1"])
  // Idle is a few passes a minute (tickless): /proc counts CPU in 10 ms ticks, so measure long
  // enough to resolve 0.2 % (1 tick in 5 s).
  Thread.sleep(forTimeInterval: 1)
  let idle = sim.measure(seconds: quick ? 5 : 20)
  let c = try client(sim.port, dir, .clinician)
  var rtt: [Double] = []
  for _ in 0..<(quick ? 300 : 2000) {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try c.request(.ping)
    rtt.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
  }
  rtt.sort()
  let p50 = percentile(rtt, 0.5)
  let p99 = percentile(rtt, 0.99)
  rows.append(
    BenchRow(
      name: "command→ACK over pty (MAC'd PING), p50 / p99",
      value: "\(format1(p50)) / \(format1(p99)) µs",
      goal: "-", met: nil))
  FirmwareBenchResults.commandRTT = (p50, p99)
  if let raw = TransportBenchResults.rawEcho {
    let ratio = p50 / max(raw.p50, 0.001)
    rows.append(
      BenchRow(
        name: "command→ACK p50 / raw-pty C echo p50 (same run)",
        value: "\(format1(ratio))× (raw \(format1(raw.p50)) / \(format1(raw.p99)) µs)",
        goal: "≤ 2×", met: ratio <= 2))
  }
  c.close()
  rows.append(
    BenchRow(
      name: "pumpsim idle: CPU, RSS (PSS)",
      value:
        "\(format1(idle.percent)) %, \(format1(Double(idle.rssKB) / 1024)) MB (\(format1(Double(sim.pss()) / 1024)) MB)",
      goal: "CPU ≤ 0.2 %, RSS ≤ 30 MB", met: idle.percent <= 0.2 && idle.rssKB <= 30 * 1024))

  // 2. Infusing, with a vitals feed and 100 Hz telemetry watched for 60 s (10 s with --quick).
  let v = try client(sim.port, dir, .vitals)
  try v.request(.vitals(VitalsSample(sbp: 125, dbp: 75, hr: 80)))
  v.close()
  let cl = try client(sim.port, dir, .clinician)
  let rx = Prescription(
    drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
    patientWeight: .kilograms(70), basalRate: .milligramsPerHour(5), loadingDose: .zero,
    bolusDose: .milligrams(2), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
    maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
    vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))
  try cl.request(.program(rx))
  try cl.request(.start)
  cl.close()
  let feed = try client(sim.port, dir, .vitals)
  try feed.request(.setTelemetry(hertz: 100))
  var frames = 0
  var gaps: UInt64 = 0
  feed.observe = {
    switch $0 {
    case .telemetry: frames += 1
    case .gap(let n): gaps += UInt64(n)
    default: break
    }
  }
  let seconds = quick ? 10 : 60
  let before = sim.usage()
  let t0 = Date()
  for _ in 0..<(seconds * 2) {
    _ = try feed.send(.vitals(VitalsSample(sbp: 125, dbp: 75, hr: 80)))
    try feed.run(forMs: 500)
  }
  let elapsed = Date().timeIntervalSince(t0)
  let after = sim.usage()
  let infusingCPU = 100 * (after.cpu - before.cpu) / elapsed
  rows.append(
    BenchRow(
      name: "100 Hz telemetry for \(seconds) s: frames, gaps",
      value: "\(frames) frames (\(format1(Double(frames) / elapsed)) /s), \(gaps) missing",
      goal: "≈ 100 /s, 0 missing", met: gaps == 0 && Double(frames) / elapsed > 95))
  rows.append(
    BenchRow(
      name: "pumpsim infusing + 100 Hz telemetry: CPU, RSS",
      value: "\(format1(infusingCPU)) %, \(format1(Double(after.rssKB) / 1024)) MB",
      goal: "RSS ≤ 30 MB",
      met: after.rssKB <= 30 * 1024))
  feed.close()
  sim.stop()

  // 3. Idle fleets (no host attached; tickless: idle pumps sleep): `pumpbench fleet`.
  for n in quick ? [100] : [100, 500] {
    rows += try fleetRows(count: n, dir: dir, seconds: quick ? 3 : 10)
  }
  return rows
}

/// Figures other suites compare against (one run).
enum FirmwareBenchResults {
  nonisolated(unsafe) static var commandRTT: (p50: Double, p99: Double)? = nil
}

/// `pumpbench restore`: a 7-day course with 1 Hz vitals (604,800 vitals inputs plus a
/// prescription, a start and a bolus press every 2 h) driven through a live `Firmware` (journal,
/// snapshots and compaction as in service); then the restart is timed, and the journal's bytes
/// on disk reported.
func runRestoreBench(_ args: [String]) throws -> [BenchRow] {
  let days: Int64 = args.contains("--quick") ? 1 : 7
  let dir = NSTemporaryDirectory() + "ketapump-bench-restore-\(getpid())"
  try? FileManager.default.removeItem(atPath: dir)
  let configuration = try PumpConfig.loadDirectory("HardwareProfiles")
  guard let model = configuration.model(id: "syringe-pca-60ml") else {
    throw BenchFailure("no model")
  }
  var rng = SystemRandomNumberGenerator()
  var config = FirmwareConfig(
    deviceId: "KP-BENCH-RESTORE", firmwareVersion: "bench", model: model,
    modelDigest: "bench", formulary: configuration.formulary,
    drugLibraryDigest: configuration.drugLibrary.sha256,
    secret: DeviceSecret.generate(using: &rng), stateDirectory: dir)
  config.telemetryHertz = 0
  let rx = Prescription(
    drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
    patientWeight: .kilograms(70), basalRate: .milligramsPerHour(1), loadingDose: .zero,
    bolusDose: .milligrams(1), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
    maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
    vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))
  let calm = VitalsSample(sbp: 125, dbp: 75, hr: 80)
  var inputs = 0
  var maxBytes = 0
  do {
    let fw = try Firmware(config: config, monoMillis: 0, wallMillis: 0)
    for e in [PumpEvent.vitals(calm), .program(rx), .confirmSoftLimits, .start] {
      fw.input(.event(e), monoMillis: 0)
      inputs += 1
    }
    let end = days * 86_400_000
    var t: Int64 = 1000
    while t < end {
      fw.input(.event(.vitals(calm)), monoMillis: t)
      inputs += 1
      if t % 7_200_000 == 0 {
        fw.input(.event(.patientBolusRequest), monoMillis: t)
        inputs += 1
      }
      if t % 60_000 == 0 {
        _ = fw.service(received: [UInt8](), monoMillis: t, wallMillis: t)
        maxBytes = max(maxBytes, fw.journalBytes)
      }
      t += 1000
    }
    _ = fw.service(received: [UInt8](), monoMillis: end, wallMillis: end)
  }
  let bytes =
    (try? FileManager.default.attributesOfItem(atPath: "\(dir)/journal.kpj")[.size] as? Int)
    .flatMap { $0 } ?? -1
  // The pure part alone: check every record, then newest snapshot + the records after it.
  let p0 = DispatchTime.now().uptimeNanoseconds
  let file = try Array(Data(contentsOf: URL(fileURLWithPath: "\(dir)/journal.kpj")))
  let image = try JournalImage(file, expecting: Firmware.journalHeader(for: config))
  let p1 = DispatchTime.now().uptimeNanoseconds
  let pure = try JournalRestore.restore(
    image, profile: model.profile, formulary: configuration.formulary)
  let p2 = DispatchTime.now().uptimeNanoseconds
  let t0 = DispatchTime.now().uptimeNanoseconds
  let fw = try Firmware(config: config, monoMillis: 0, wallMillis: days * 86_400_000 + 1)
  let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
  try? FileManager.default.removeItem(atPath: dir)
  return [
    BenchRow(
      name: "journal restore, \(days)-day course, \(inputs) inputs (snapshot + tail)",
      value: "\(format1(ms)) ms, comes up \(LogText.name(fw.machine.controller.mode))",
      goal: "≤ 50 ms for 7 days (issue 13)", met: ms <= 50),
    BenchRow(
      name:
        "journal restore, pure part: read + check \(image.entries.count) records, snapshot + \(pure.replayed) records",
      value:
        "\(format1(Double(p1 - p0) / 1e6)) ms + \(format1(Double(p2 - p1) / 1e6)) ms", goal: "-",
      met: nil),
    BenchRow(
      name: "journal bytes on disk after the \(days)-day course",
      value: "\(bytes) B (peak \(maxBytes) B between compactions)",
      goal: "bounded: 4 h of records + snapshots (issue 13)", met: bytes > 0 && bytes < 8 << 20),
  ]
}
