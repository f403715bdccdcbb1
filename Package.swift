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
    .library(name: "PumpTrace", targets: ["PumpTrace"]),
    .library(name: "PumpReplay", targets: ["PumpReplay"]),
    .library(name: "PumpNoise", targets: ["PumpNoise"]),
    .library(name: "PumpPatient", targets: ["PumpPatient"]),
    .library(name: "PumpPatientLoop", targets: ["PumpPatientLoop"]),
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
    // The ketamine patient: published PK (exact per step), PD, monitor, PCA demand, cohorts.
    // Pure and seeded, standard library only, no Foundation (docs/PATIENT.md).
    .target(name: "PumpPatient", dependencies: ["PumpCore"]),
    // The closed loop offline: PumpRig's delivered drug into a Patient, its vitals and presses
    // back into the controller. No serial stack, no trace language.
    .target(name: "PumpPatientLoop", dependencies: ["PumpPatient", "PumpHardware", "PumpCore"]),
    // Host-side loading of HardwareProfiles, the drug library and patient files (YAML) into
    // PumpCore and PumpPatient values.
    .target(
      name: "PumpConfig",
      dependencies: [
        "PumpCore", "PumpHardware", "PumpProtocol", "PumpPatient", crypto,
        .product(name: "Yams", package: "Yams"),
      ]),
    // Wire protocol: framing, codec, sessions, authentication; the host-side vocabulary every
    // front end shares (WireNames, the Quantity grammar). Pure, no I/O.
    .target(name: "PumpProtocol", dependencies: ["PumpCore", crypto]),
    // The trace language and offline replay: lexer, parser, checker, offline driver (PumpCore on
    // PumpHardware in virtual time, through PumpProtocol's request → event mapping), the session
    // recorder, JUnit/JSON/HTML reports. No serial stack, no libudev, no YAML: the caller
    // resolves a header's profile, drug library and patient (`TraceResolver`). The patient model
    // (PumpPatient, PumpPatientLoop) is pure too: a trace naming a patient replays it offline.
    .target(
      name: "PumpTrace",
      dependencies: ["PumpCore", "PumpHardware", "PumpProtocol", "PumpPatient", "PumpPatientLoop"]),
    // libudev, for serial port discovery.
    .systemLibrary(
      name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
    // Pseudo-terminals, ttys, termios, pacing, port discovery and hot-plug.
    .target(name: "SerialTransport", dependencies: ["CUdev", systemPackage]),
    // The firmware: the pure machine (inputs → controller → journal records) and its thin shell
    // (super-loop, file descriptors, NV journal, link handling). No YAML loader: pumpsim loads
    // the pump model (PumpConfig) and passes the values in. The shell can host a simulated
    // patient (`FirmwareWorld`, `PatientWorld` over PumpPatientLoop): the world, never the pump.
    .target(
      name: "PumpFirmware",
      dependencies: [
        "PumpCore", "PumpHardware", "PumpProtocol", "SerialTransport", "PumpPatient",
        "PumpPatientLoop", logging, crypto, systemPackage,
      ]),
    // The host client library: connect, authenticate, command, stream (tests, replay, pumpmon).
    // The client only: the line-noise relay is test tooling (PumpNoise). Sessions record into
    // PumpTrace's recorder.
    .target(
      name: "PumpHost",
      dependencies: [
        "PumpCore", "PumpProtocol", "PumpConfig", "PumpTrace", "SerialTransport", crypto,
      ]),
    // Online replay: PumpTrace's traces sent to pumpsim over the serial line, with the same
    // results and reports as offline; header binding through PumpConfig (`TraceSetup.bind(_:to:
    // Configuration)`); `PumpSimProcess`, the one way to start pumpsim as a child process
    // (online replay, pumpbench, test support).
    .target(
      name: "PumpReplay",
      dependencies: [
        "PumpTrace", "PumpCore", "PumpHardware", "PumpConfig", "PumpProtocol", "PumpHost",
      ]),

    // Test tooling. The line-noise relay (`pumpmon relay`, ReliabilityTests) and the one seeded
    // generator (SplitMix64) of the relay and the tests.
    .target(name: "PumpNoise", dependencies: ["PumpCore", "SerialTransport"]),
    // Test support, once, for every test target: pumpsim as a real process (through PumpReplay's
    // PumpSimProcess), products run to completion, keys, temporary directories, bounded polls,
    // the ward prescription fixture. Never linked into a product.
    .target(
      name: "KetaPumpTestSupport",
      dependencies: [
        "PumpReplay", "PumpHost", "PumpConfig", "PumpCore", "PumpProtocol", "PumpFirmware",
      ]),

    // Thin command-line front ends.
    .executableTarget(
      name: "pumpsim",
      dependencies: [
        "PumpFirmware", "PumpConfig", "PumpCore", "PumpHardware", "PumpProtocol", "SerialTransport",
        "PumpPatient", argumentParser, logging,
      ]),
    .executableTarget(
      name: "pumpmon",
      dependencies: [
        "PumpHost", "PumpTrace", "PumpReplay", "PumpNoise", "PumpConfig", "PumpProtocol",
        "PumpCore", "SerialTransport", argumentParser,
      ]),

    // Benchmark-only malloc interposer: counts allocations per frame in pumpbench. Linked into
    // pumpbench alone, never into a product.
    .target(name: "CBenchMalloc"),
    // Benchmarks (Tools/bench): figures with goals, never timed asserts in tests.
    .executableTarget(
      name: "pumpbench",
      dependencies: [
        "CBenchMalloc", "PumpCore", "PumpHardware", "PumpConfig", "PumpProtocol", "SerialTransport",
        "PumpTrace", "PumpReplay", "PumpHost", "PumpFirmware", "PumpPatient", "PumpPatientLoop",
      ],
      // The interposed malloc family must stay in the executable's dynamic symbol table (the
      // Swift runtime and libc call it through the PLT), and survive --gc-sections.
      linkerSettings: [
        .unsafeFlags([
          "-Xlinker", "--export-dynamic-symbol=malloc", "-Xlinker", "--export-dynamic-symbol=free",
          "-Xlinker", "--export-dynamic-symbol=calloc", "-Xlinker",
          "--export-dynamic-symbol=realloc",
          "-Xlinker", "--export-dynamic-symbol=posix_memalign",
          "-Xlinker", "--export-dynamic-symbol=aligned_alloc",
          "-Xlinker", "--export-dynamic-symbol=memalign",
        ])
      ]),

    // The safety explorers of issue 12 (random and bounded exhaustive), run in release by
    // Tools/test: figures in docs/benchmarks.md.
    .executableTarget(
      name: "pumpexplore", dependencies: ["PumpCore", "PumpHardware"]),

    .testTarget(name: "PumpCoreTests", dependencies: ["PumpCore", "PumpHardware", "PumpNoise"]),
    .testTarget(name: "PumpConfigTests", dependencies: ["PumpConfig", "PumpCore", "PumpHardware"]),
    .testTarget(
      name: "PumpPatientTests",
      dependencies: [
        "PumpPatient", "PumpPatientLoop", "PumpConfig", "PumpCore", "PumpHardware", "PumpTrace",
        "PumpReplay", "KetaPumpTestSupport",
      ]),
    .testTarget(
      name: "PumpProtocolTests", dependencies: ["PumpProtocol", "PumpCore", "PumpNoise"]),
    .testTarget(name: "SerialTransportTests", dependencies: ["SerialTransport"]),
    .testTarget(
      name: "PumpFirmwareTests",
      dependencies: [
        "KetaPumpTestSupport", "PumpFirmware", "PumpHost", "PumpProtocol", "SerialTransport",
        "PumpCore", "PumpConfig", "PumpNoise", "PumpPatient", "PumpPatientLoop", "PumpHardware",
      ]),
    .testTarget(
      name: "PumpReplayTests",
      dependencies: [
        "KetaPumpTestSupport", "PumpTrace", "PumpReplay", "PumpCore", "PumpHardware",
        "PumpConfig", "PumpProtocol", "PumpHost", "PumpNoise", "PumpFirmware",
      ]),
    .testTarget(
      name: "ReliabilityTests",
      dependencies: [
        "KetaPumpTestSupport", "PumpHost", "PumpNoise", "PumpConfig", "PumpCore", "PumpProtocol",
        "SerialTransport",
      ]),
    .testTarget(
      name: "PumpMonTests",
      dependencies: [
        "KetaPumpTestSupport", "PumpHost", "PumpTrace", "PumpConfig", "PumpCore", "PumpProtocol",
      ]),
  ],
  swiftLanguageModes: [.v6]
)
