// The `transport` suite: SerialTransport round trip against a C baseline, and paced throughput.
//
// What is compared (docs/SERIAL.md, "Benchmark"): write a 48-byte line to a pty master, an echo
// process on the slave end ("ptyecho echo", Tools/bench-c/ptyecho.c) sends it back, read the 48
// bytes. Once with SerialTransport's VirtualSerialPort on the master (poll + read via
// waitReadable, hang-up check on every write), once with ptyecho's own pure-C client. Same
// echo process, same pty, so the ratio is the cost of our client side.
import Foundation
import SerialTransport

#if canImport(Glibc)
  import Glibc
#endif

private enum TransportBenchError: Error, CustomStringConvertible {
  case noSource(String)
  case compileFailed(Int32)
  case baselineFailed(String)
  case roundTripFailed(Int)

  var description: String {
    switch self {
    case .noSource(let p): return "cannot find Tools/bench-c/ptyecho.c (looked in \(p))"
    case .compileFailed(let s): return "cc -O2 ptyecho.c failed (status \(s))"
    case .baselineFailed(let out): return "ptyecho client failed: \(out)"
    case .roundTripFailed(let i): return "round trip \(i) timed out"
    }
  }
}

/// The repository root: the working directory, or three levels above the executable.
private func repositoryRoot() throws -> String {
  let cwd = FileManager.default.currentDirectoryPath
  var candidates = [cwd]
  let exe = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
  candidates.append(
    exe.deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path)
  for c in candidates where FileManager.default.fileExists(atPath: c + "/Tools/bench-c/ptyecho.c") {
    return c
  }
  throw TransportBenchError.noSource(candidates.joined(separator: ", "))
}

/// Compiles ptyecho.c with `cc -O2` into .build-bench/ and returns the binary's path.
func buildEcho() throws -> String {
  let root = try repositoryRoot()
  let out = root + "/.build-bench/ptyecho"
  try FileManager.default.createDirectory(
    atPath: root + "/.build-bench", withIntermediateDirectories: true)
  let cc = Process()
  cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  cc.arguments = ["cc", "-O2", "-o", out, root + "/Tools/bench-c/ptyecho.c", "-lutil"]
  try cc.run()
  cc.waitUntilExit()
  guard cc.terminationStatus == 0 else {
    throw TransportBenchError.compileFailed(cc.terminationStatus)
  }
  return out
}

/// One run of the pure-C client: its round-trip samples, ns.
func baseline(_ echo: String, iterations: Int) throws -> [UInt64] {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: echo)
  p.arguments = ["client", "\(iterations)", "48"]
  let pipe = Pipe()
  p.standardOutput = pipe
  try p.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  let text = String(decoding: data, as: UTF8.self)
  let samples = text.split(separator: "\n").compactMap { UInt64($0) }
  guard p.terminationStatus == 0, samples.count == iterations else {
    throw TransportBenchError.baselineFailed(String(text.prefix(200)))
  }
  return samples
}

/// A virtual port with the echo process attached to its slave.
private func echoedPort(_ echo: String, pacer: Pacer?) throws -> (
  VirtualSerialPort, Process, String
) {
  let dir = NSTemporaryDirectory() + "ketapump-bench-\(getpid())"
  let port = try VirtualSerialPort.create(
    name: "bench", runDirectory: RunDirectory(path: dir), pacer: pacer)
  let child = Process()
  child.executableURL = URL(fileURLWithPath: echo)
  child.arguments = ["echo", port.ptsPath]
  try child.run()
  // Wait for the echo to open the slave (inotify wakes the port).
  let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
  while !port.isPeerAttached && MonotonicClock.nanoseconds() < deadline {
    _ = try waitReadable([port.pollDescriptor], timeoutMs: 100)
    port.refresh()
  }
  return (port, child, dir)
}

/// One round trip through the port: write the line, poll + read until it is back.
private func roundTrip(_ port: VirtualSerialPort, _ line: [UInt8], _ buf: inout [UInt8]) -> Bool {
  var off = 0
  while off < line.count {
    switch line.withUnsafeBytes({ port.write(UnsafeRawBufferPointer(rebasing: $0[off...])) }) {
    case .wrote(let n): off += n
    case .wouldBlock: _ = try? waitReadable([], timeoutMs: 1)
    default: return false
    }
  }
  var got = 0
  while got < line.count {
    guard (try? waitReadable(port.pollDescriptor, timeoutMs: 2000)) == true else { return false }
    if case .bytes(let n) = port.read(into: &buf) { got += n }
  }
  return true
}

private func percentile(_ sorted: [UInt64], _ p: Int) -> UInt64 {
  sorted[min(sorted.count - 1, sorted.count * p / 100)]
}

private func micros(_ ns: UInt64) -> String {
  String(format: "%.1f µs", Double(ns) / 1000)
}

/// Runs the transport figures (registered in `suites` as "transport").
/// Arguments: `[iterations]` (default 5000 round trips each side).
func runTransportBench(_ arguments: [String]) throws -> [BenchRow] {
  let iterations = arguments.first.flatMap { Int($0) } ?? 5000
  let echo = try buildEcho()
  var rows: [BenchRow] = []

  // 1. Round trip of a 48-byte line. The machine is shared, so the two clients alternate in
  //    rounds and each side's samples are pooled: both see the same background load.
  let rounds = 5
  let perRound = max(100, iterations / rounds)
  let (port, child, dir) = try echoedPort(echo, pacer: nil)
  let line = (0..<48).map { UInt8(ascii: "A") + UInt8($0 % 26) }
  var buf = [UInt8](repeating: 0, count: 4096)
  for i in 0..<200 where !roundTrip(port, line, &buf) {
    throw TransportBenchError.roundTripFailed(i)
  }
  var cSamples: [UInt64] = []
  var samples: [UInt64] = []
  for _ in 0..<rounds {
    cSamples += try baseline(echo, iterations: perRound)
    for i in 0..<perRound {
      let t0 = MonotonicClock.nanoseconds()
      guard roundTrip(port, line, &buf) else { throw TransportBenchError.roundTripFailed(i) }
      samples.append(MonotonicClock.nanoseconds() - t0)
    }
  }
  port.close()
  child.waitUntilExit()
  samples.sort()
  cSamples.sort()
  let sP50 = percentile(samples, 50)
  let sP99 = percentile(samples, 99)
  let cP50 = percentile(cSamples, 50)
  let cP99 = percentile(cSamples, 99)
  let ratio = Double(sP50) / Double(max(1, cP50))
  TransportBenchResults.rawEcho = (Double(cP50) / 1000, Double(cP99) / 1000)
  rows.append(
    BenchRow(
      name: "48-byte round trip, C client (p50 / p99, \(cSamples.count) samples)",
      value: "\(micros(cP50)) / \(micros(cP99))",
      goal: "baseline", met: nil))
  rows.append(
    BenchRow(
      name: "48-byte round trip, SerialTransport (p50 / p99, \(samples.count) samples)",
      value: "\(micros(sP50)) / \(micros(sP99))", goal: "info", met: nil))
  rows.append(
    BenchRow(
      name: "round trip ratio SerialTransport / C (p50)", value: String(format: "%.2f×", ratio),
      goal: "≤ 1.3×", met: ratio <= 1.3))
  let ratio99 = Double(sP99) / Double(max(1, cP99))
  rows.append(
    BenchRow(
      name: "round trip ratio SerialTransport / C (p99)", value: String(format: "%.2f×", ratio99),
      goal: "info (p99 is scheduler noise on a shared machine)", met: nil))

  // 2. Paced throughput at 115200 8N1: 3 s of data through the echo, first write to last byte.
  let pacer = Pacer(baud: 115_200)
  let (paced, pacedChild, _) = try echoedPort(echo, pacer: pacer)
  let total = 34_560
  let chunk = [UInt8](repeating: 0x55, count: 1024)
  var sent = 0
  var received = 0
  let t0 = MonotonicClock.nanoseconds()
  let deadline = t0 + 20_000_000_000
  while received < total && MonotonicClock.nanoseconds() < deadline {
    if sent < total {
      let n = min(chunk.count, total - sent)
      if case .wrote(let k) = chunk.withUnsafeBytes({
        paced.write(UnsafeRawBufferPointer(rebasing: $0[0..<n]))
      }) {
        sent += k
      }
    }
    let wait = sent < total ? max(1, paced.pacingDelayMilliseconds()) : 100
    _ = try waitReadable([paced.pollDescriptor], timeoutMs: wait)
    while case .bytes(let n) = paced.read(into: &buf) { received += n }
  }
  let seconds = Double(MonotonicClock.nanoseconds() - t0) / 1e9
  paced.close()
  pacedChild.waitUntilExit()
  try? FileManager.default.removeItem(atPath: dir)
  let rate = Double(received) / seconds
  let error = abs(rate - pacer.bytesPerSecond) / pacer.bytesPerSecond
  rows.append(
    BenchRow(
      name: "paced throughput at 115200 8N1 (\(total) bytes echoed)",
      value: String(format: "%.0f B/s (%.1f %% off)", rate, error * 100),
      goal: "11520 B/s ± 5 %", met: error <= 0.05))
  return rows
}

/// The raw-pty C echo figures of this run (µs), for the firmware suite's ratio.
enum TransportBenchResults {
  nonisolated(unsafe) static var rawEcho: (p50: Double, p99: Double)? = nil
}
