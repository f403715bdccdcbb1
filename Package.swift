// swift-tools-version: 6.1
// KetaPump: ketamine PCA pump firmware simulator and host tools. Not a medical device.
import PackageDescription

let package = Package(
  name: "KetaPump",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "PumpCore", targets: ["PumpCore"]),
    .library(name: "PumpHardware", targets: ["PumpHardware"]),
    .library(name: "PumpConfig", targets: ["PumpConfig"]),
    .library(name: "PumpProtocol", targets: ["PumpProtocol"]),
    .library(name: "SerialTransport", targets: ["SerialTransport"]),
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
    .target(name: "PumpConfig", dependencies: ["PumpCore", .product(name: "Yams", package: "Yams")]),
    // Wire protocol: framing, codec, sessions, authentication. Pure, no I/O.
    .target(
      name: "PumpProtocol",
      dependencies: ["PumpCore", .product(name: "Crypto", package: "swift-crypto")]),
    // libudev, for serial port discovery.
    .systemLibrary(
      name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
    // Pseudo-terminals, ttys, termios, port discovery.
    .target(
      name: "SerialTransport",
      dependencies: ["CUdev", .product(name: "SystemPackage", package: "swift-system")]),

    // Benchmarks (Tools/bench): figures with goals, never timed asserts in tests.
    .executableTarget(name: "pumpbench", dependencies: ["PumpCore", "PumpProtocol"]),

    .testTarget(name: "PumpCoreTests", dependencies: ["PumpCore", "PumpHardware"]),
    .testTarget(name: "PumpConfigTests", dependencies: ["PumpConfig", "PumpCore"]),
    .testTarget(name: "PumpProtocolTests", dependencies: ["PumpProtocol", "PumpCore"]),
    .testTarget(name: "SerialTransportTests", dependencies: ["SerialTransport"]),
  ],
  swiftLanguageModes: [.v6]
)
