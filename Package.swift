// swift-tools-version: 6.1
// KetaPump: ketamine PCA pump firmware simulator and host tools. Not a medical device.
import PackageDescription

let argumentParser = Target.Dependency.product(
  name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let systemPackage = Target.Dependency.product(name: "SystemPackage", package: "swift-system")

let package = Package(
  name: "KetaPump",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "PumpCore", targets: ["PumpCore"]),
    .library(name: "PumpHardware", targets: ["PumpHardware"]),
    .library(name: "PumpConfig", targets: ["PumpConfig"]),
    .library(name: "PumpProtocol", targets: ["PumpProtocol"]),
    .library(name: "SerialTransport", targets: ["SerialTransport"]),
    .library(name: "PumpFirmware", targets: ["PumpFirmware"]),
    .library(name: "PumpHost", targets: ["PumpHost"]),
    .library(name: "PumpReplay", targets: ["PumpReplay"]),
    .executable(name: "pumpsim", targets: ["pumpsim"]),
    .executable(name: "pumpmon", targets: ["pumpmon"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // The controller: standard library only, also built as Embedded Swift (Tools/embedded-build).
    .target(name: "PumpCore"),
    // Simulated motor, reservoir, sensors and battery, and the rig coupling them to the
    // controller: shared by the firmware and the offline replayer. Pure, no Foundation.
    .target(name: "PumpHardware", dependencies: ["PumpCore"]),
    // Host-side loading of HardwareProfiles and the drug library (YAML) into PumpCore values.
    .target(
      name: "PumpConfig",
      dependencies: ["PumpCore", "PumpProtocol", .product(name: "Yams", package: "Yams")]),
    // Wire protocol: framing, codec, sessions, authentication. Pure, no I/O.
    .target(name: "PumpProtocol", dependencies: ["PumpCore", crypto]),
    // libudev, for serial port discovery.
    .systemLibrary(
      name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
    // Pseudo-terminals, ttys, termios, pacing, port discovery and hot-plug.
    .target(name: "SerialTransport", dependencies: ["CUdev", systemPackage]),
    // The firmware shell: super-loop, simulated hardware, NV journal, link handling.
    .target(
      name: "PumpFirmware",
      dependencies: [
        "PumpCore", "PumpHardware", "PumpProtocol", "PumpConfig", "SerialTransport", logging,
        crypto, systemPackage,
      ]),
    // The host client library: connect, authenticate, command, stream (tests, replay, pumpmon).
    .target(
      name: "PumpHost",
      dependencies: ["PumpCore", "PumpProtocol", "PumpConfig", "SerialTransport", crypto]),
    // Trace format, offline and online replay, JUnit/HTML/JSON reports.
    .target(
      name: "PumpReplay",
      dependencies: ["PumpCore", "PumpHardware", "PumpConfig", "PumpProtocol", "PumpHost"]),

    // Thin command-line front ends.
    .executableTarget(
      name: "pumpsim",
      dependencies: [
        "PumpFirmware", "PumpConfig", "PumpCore", "PumpProtocol", "SerialTransport",
        argumentParser, logging,
      ]),
    .executableTarget(
      name: "pumpmon",
      dependencies: [
        "PumpHost", "PumpReplay", "PumpConfig", "PumpProtocol", "PumpCore", "SerialTransport",
        argumentParser,
      ]),

    // Benchmarks (Tools/bench): figures with goals, never timed asserts in tests.
    .executableTarget(
      name: "pumpbench",
      dependencies: [
        "PumpCore", "PumpHardware", "PumpConfig", "PumpProtocol", "SerialTransport",
        "PumpReplay", "PumpHost", "PumpFirmware",
      ]),

    // The safety explorers of issue 12 (random and bounded exhaustive), run in release by
    // Tools/test: figures in docs/benchmarks.md.
    .executableTarget(
      name: "pumpexplore", dependencies: ["PumpCore", "PumpHardware"]),

    .testTarget(name: "PumpCoreTests", dependencies: ["PumpCore", "PumpHardware"]),
    .testTarget(name: "PumpConfigTests", dependencies: ["PumpConfig", "PumpCore", "PumpHardware"]),
    .testTarget(name: "PumpProtocolTests", dependencies: ["PumpProtocol", "PumpCore"]),
    .testTarget(name: "SerialTransportTests", dependencies: ["SerialTransport"]),
    .testTarget(
      name: "PumpFirmwareTests",
      dependencies: [
        "PumpFirmware", "PumpHost", "PumpProtocol", "SerialTransport", "PumpCore", "PumpConfig",
      ]),
    .testTarget(
      name: "PumpReplayTests",
      dependencies: [
        "PumpReplay", "PumpCore", "PumpHardware", "PumpConfig", "PumpProtocol", "PumpHost",
      ]),
    .testTarget(
      name: "ReliabilityTests",
      dependencies: ["PumpHost", "PumpConfig", "PumpCore", "PumpProtocol", "SerialTransport"]),
    .testTarget(
      name: "PumpMonTests", dependencies: ["PumpHost", "PumpConfig", "PumpCore", "PumpProtocol"]),
  ],
  swiftLanguageModes: [.v6]
)
