// swift-tools-version: 6.1
import PackageDescription

/// One strict setting list for every target (see ../shared/STYLE.md, practice 1).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let propertyBased = Target.Dependency.product(name: "PropertyBased", package: "swift-property-based")

let package = Package(
    name: "LockBridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lockbridge", targets: ["lockbridge"]),
        .executable(name: "lock-emulator", targets: ["lock-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C stays behind one door: these two hold only a modulemap and a shim.
        .systemLibrary(
            name: "CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(
            name: "CJSONC", pkgConfig: "json-c",
            providers: [.apt(["libjson-c-dev"])]),

        // Mutex, visible to ThreadSanitizer (make test-tsan).
        .target(name: "Locking", swiftSettings: strict),
        .target(name: "MQTT", dependencies: ["CMosquitto", "Locking", log], swiftSettings: strict),
        .target(
            name: "JSON", dependencies: ["CJSONC"], swiftSettings: strict,
            // Double rounding (Int64(exactly:)) calls libm, which an executable without
            // Foundation does not link on Linux.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(
            name: "LockCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .target(
            name: "LockAPI",
            dependencies: ["JSON", "LockCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(
            name: "LockEmulator", dependencies: ["LockAPI", "LockCore", "JSON", "MQTT", "Locking", log, lifecycle],
            swiftSettings: strict),
        // The bridge's SQLite outbox, audit log, request dedupe and per-lock state.
        .target(
            name: "AuditLog", dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // The bridge's rules: inputs in, effects out. No I/O, no MQTT, no clock of its own.
        .target(name: "BridgeCore", dependencies: ["LockAPI", "LockCore", "JSON", "Locking", log], swiftSettings: strict),
        // `lockbridge run`: the broker and SQLite around BridgeCore.
        .target(
            name: "Bridge",
            dependencies: [
                "BridgeCore", "LockAPI", "LockCore", "JSON", "MQTT", "AuditLog", "PostgresStore", "Locking", log, lifecycle,
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        // The store on PostgreSQL, for several bridges on one database (spec 8).
        .target(
            name: "PostgresStore",
            dependencies: [
                "AuditLog", log, lifecycle, .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .target(name: "TestSupport", dependencies: ["MQTT", "Locking", log], swiftSettings: strict),
        // The run skeleton both long-running executables share (logging, exit code 2, signals).
        .target(
            name: "ServiceProcess",
            dependencies: [argumentParser, log, lifecycle, .product(name: "UnixSignals", package: "swift-service-lifecycle")],
            swiftSettings: strict),

        .executableTarget(
            name: "lockbridge",
            dependencies: [
                "Bridge", "BridgeCore", "LockAPI", "LockCore", "JSON", "MQTT", "ServiceProcess", argumentParser, log, lifecycle,
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "lock-emulator",
            dependencies: [
                "LockAPI", "LockEmulator", "MQTT", "ServiceProcess", argumentParser, log, lifecycle,
            ],
            swiftSettings: strict),
        // A tiny client that tests kill with SIGKILL to prove the Last Will.
        .executableTarget(name: "mqtt-test-helper", dependencies: ["MQTT", log], swiftSettings: strict),
        // `make chaos` (and a short run in `make test`): real processes under broker, bridge and
        // emulator faults, checked against each lock's own seq.
        .target(name: "Chaos", dependencies: ["JSON", "LockAPI", "MQTT", "TestSupport", "Locking"], swiftSettings: strict),
        .executableTarget(name: "chaos", dependencies: ["Chaos", "lockbridge", "lock-emulator"], swiftSettings: strict),
        // `make fuzz`: coverage-guided fuzz targets (libFuzzer), replayable as plain tests.
        .target(
            name: "FuzzTargets", dependencies: ["JSON", "LockAPI", "LockCore", "BridgeCore", "Bridge", log], swiftSettings: strict),
        .executableTarget(name: "lockbridge-fuzz", dependencies: ["FuzzTargets"], swiftSettings: strict),
        // Parses and serializes in a loop under valgrind (scripts/json-leakcheck.sh).
        .executableTarget(name: "json-leakcheck", dependencies: ["JSON"], swiftSettings: strict),

        // `make bench-transport`: the Swift client against the same measurement in plain C.
        .executableTarget(
            name: "transport-bench",
            dependencies: ["MQTT", "TestSupport", log, .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: strict),
        .executableTarget(name: "transport-bench-c", linkerSettings: [.linkedLibrary("mosquitto")]),

        // `make bench`: the bridge against a minimal relay in C, same broker, same emulator, same driver.
        .executableTarget(
            name: "bridge-bench",
            dependencies: ["MQTT", "JSON", "LockAPI", "BridgeCore", "TestSupport", "Locking", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: strict),
        .executableTarget(name: "relay-bench-c", linkerSettings: [.linkedLibrary("mosquitto")]),

        .testTarget(
            name: "MQTTTests", dependencies: ["MQTT", "TestSupport", "mqtt-test-helper"],
            swiftSettings: strict),
        .testTarget(name: "JSONTests", dependencies: ["JSON", propertyBased], swiftSettings: strict),
        .testTarget(
            name: "LockEmulatorTests",
            dependencies: ["LockEmulator", "LockAPI", "LockCore", "JSON", "MQTT", "TestSupport", "lock-emulator"],
            swiftSettings: strict),
        .testTarget(
            name: "BridgeTests",
            dependencies: ["Bridge", "BridgeCore", "LockAPI", "LockCore", "JSON", "MQTT", "TestSupport", "AuditLog", "PostgresStore", "Locking", "Chaos", "lockbridge", "lock-emulator", log, lifecycle],
            swiftSettings: strict),
        .testTarget(name: "BridgeCoreTests", dependencies: ["BridgeCore", "LockAPI", "LockCore", "JSON", "Locking", log, propertyBased], swiftSettings: strict),
        .testTarget(name: "LockAPITests", dependencies: ["LockAPI", "LockCore", "JSON"], swiftSettings: strict),
        .testTarget(name: "AuditLogTests", dependencies: ["AuditLog"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["AuditLog", "PostgresStore", "TestSupport", log], swiftSettings: strict),
        .testTarget(name: "FuzzTargetTests", dependencies: ["FuzzTargets"], swiftSettings: strict),
        .testTarget(name: "LockCoreTests", dependencies: ["LockCore", propertyBased], swiftSettings: strict),
    ]
)
