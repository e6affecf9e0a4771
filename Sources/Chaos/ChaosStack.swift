import Foundation
import LockAPI
import MQTT
import TestSupport

/// The real processes of one chaos run: a private mosquitto with persistence, the emulator with
/// its locks, and the bridge, each started again after the faults the schedule injects.
final class ChaosStack: @unchecked Sendable {
    let broker: Broker
    let locks: [String]
    let base: String
    let prefix: String
    let keyFile: String
    private(set) var bridge: ChildProcess?
    private(set) var emulator: ChildProcess?
    /// Every process started, kept so that their logs can be scanned for codes at the end.
    private(set) var started: [ChildProcess] = []

    init(locks: Int) async throws {
        broker = try await Broker.start(BrokerOptions(persistence: true))
        self.locks = (1...locks).map { "chaos-\($0)" }
        let unique = TestNames.baseTopic("x")
        base = unique.replacingOccurrences(of: "/x", with: "/lockbridge")
        prefix = unique.replacingOccurrences(of: "/x", with: "/lockdev")
        keyFile = broker.directory.appendingPathComponent("device.key").path
        try DeviceSigner.newKeyFileContents().write(toFile: keyFile, atomically: true, encoding: .utf8)
    }

    func startEmulator() throws {
        emulator = try ChildProcess("lock-emulator", [
            "--broker", broker.url, "--state-dir", broker.directory.appendingPathComponent("emulator").path, "--enable-sim",
            "--device-key-file", keyFile, "--topic-prefix", prefix, "--tick-interval", "0.05", "--heartbeat-interval", "0.5",
            "--hash-iterations", "64", "--instance", "emu-chaos", "--log-level", "debug",
        ] + locks.flatMap { ["--lock", $0] })
        started.append(emulator!)
    }

    func startBridge() throws {
        bridge = try ChildProcess("lockbridge", [
            "run", "--broker", broker.url, "--data-dir", broker.directory.appendingPathComponent("bridge").path,
            "--base-topic", base, "--device-topic-prefix", prefix, "--device-key-file", keyFile,
            "--offline-after", "3", "--command-timeout", "5", "--tick-interval", "0.1", "--no-discovery", "--log-level", "debug",
        ])
        started.append(bridge!)
    }

    /// Everything every bridge and emulator process wrote.
    var logs: String { started.map(\.text).joined(separator: "\n") }

    /// `kill -9`, then wait for the process to be gone.
    func kill(_ process: ChildProcess?) async throws {
        guard let process, process.isRunning else { return }
        process.send(SIGKILL)
        _ = try await process.waitForExit(within: 10)
    }

    /// SIGTERM to whatever still runs, and the broker's files removed.
    func stop() async {
        for process in [bridge, emulator].compactMap({ $0 }) where process.isRunning {
            process.send(SIGTERM)
            _ = try? await process.waitForExit(within: 10)
        }
        try? await broker.stop()
    }

    /// What the bridge and the emulator printed last, for a failed run.
    var tails: String {
        "bridge: \((bridge?.text ?? "").suffix(1500))\nemulator: \((emulator?.text ?? "").suffix(800))"
    }
}
