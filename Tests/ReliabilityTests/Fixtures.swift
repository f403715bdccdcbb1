import Foundation
import PumpConfig
import PumpCore
import PumpHost
import PumpProtocol

/// A fresh directory under the system temporary directory.
func temporaryDirectory(_ tag: String) -> String {
  let path = NSTemporaryDirectory() + "ketapump-rel-\(tag)-\(UUID().uuidString.prefix(8))"
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Runs a built product to completion: exit status, stdout, stderr.
func runProduct(_ name: String, _ arguments: [String]) throws -> (Int32, String, String) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "\(productsDirectory)/\(name)")
  p.arguments = arguments
  let out = Pipe()
  let err = Pipe()
  p.standardOutput = out
  p.standardError = err
  try p.run()
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (
    p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self)
  )
}

/// A key set made by `pumpsim keygen` in a fresh directory.
struct Keys {
  let dir: String
  let device: String
  init(deviceId: String) throws {
    dir = temporaryDirectory("keys")
    device = "\(dir)/pump.key"
    let (status, _, err) = try runProduct(
      "pumpsim", ["keygen", "--device-id", deviceId, "--out", device])
    guard status == 0 else { throw TestFailure("keygen: \(err)") }
  }
  func key(_ role: Role) throws -> RoleKey {
    try KeyStore.loadRoleKey(path: "\(dir)/pump.\(role.rawValue).key", role: role).key
  }
}

/// One logged-in client: opens `port`, HELLO, login as `role`, runs `body`, closes.
@discardableResult
func session<T>(
  _ role: Role, _ keys: Keys, port: String, _ body: (PumpClient) throws -> T
) throws -> T {
  let c = try PumpClient.open(path: port, key: try keys.key(role))
  defer { c.close() }
  try c.hello()
  try c.login()
  return try body(c)
}

/// STATUS as an observer (no login).
func status(port: String) throws -> Telemetry {
  let c = try PumpClient.open(path: port)
  defer { c.close() }
  try c.hello()
  guard case .ack(.status(let t)) = try c.request(.status).result else {
    throw TestFailure("STATUS was not answered with telemetry")
  }
  return t
}

/// The ward prescription of the firmware tests: ketamine 5 mg/mL, basal 5 mg/h, 2 mg boluses.
let wardRx = Prescription(
  drugEntry: DrugEntryID(1), careArea: .acutePostOp, concentration: .milligramsPerMilliliter(5),
  patientWeight: .kilograms(70), basalRate: .milligramsPerHour(5), loadingDose: .zero,
  bolusDose: .milligrams(2), bolusRate: .millilitersPerHour(60), lockout: .minutes(10),
  maxBolusesPerHour: 4, limit1h: .milligrams(15), limit4h: .milligrams(40),
  vtbi: .milliliters(60), kvoRate: MicrolitersPerHour(100), rateIncreaseInterval: .hours(1))

/// Calm vitals (no interlock, no warning).
let calmVitals = VitalsSample(sbp: 125, dbp: 75, hr: 80)

/// Monotonic milliseconds.
func nowMs() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// A seed from `KETAPUMP_<name>_SEED`, else `fallback`.
func seed(_ name: String, _ fallback: UInt64) -> UInt64 {
  UInt64(ProcessInfo.processInfo.environment["KETAPUMP_\(name)_SEED"] ?? "") ?? fallback
}

/// An integer from the environment, else `fallback`.
func environmentInt(_ name: String, _ fallback: Int) -> Int {
  Int(ProcessInfo.processInfo.environment[name] ?? "") ?? fallback
}
