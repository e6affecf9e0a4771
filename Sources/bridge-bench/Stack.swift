import Foundation
import LockAPI
import MQTT
import Locking
import TestSupport

/// One private broker, one `lock-emulator --count N` and the bench's own client. The bridge and
/// the relay baseline take turns on it, so both see the same broker and the same locks.
final class Stack: Sendable {
    let broker: Broker
    let count: Int
    /// The device-link prefix and the key file the emulator, the bridge and the relay share.
    let prefix: String
    let keyFile: String
    let client: MosquittoClient
    let emulator: ChildProcess

    init(count: Int) async throws {
        self.count = count
        broker = try await Broker.start()
        Cleanup.track(broker.pid, "mosquitto")
        Cleanup.track(path: broker.directory.path)
        prefix = TestNames.baseTopic("lockdev")
        keyFile = broker.directory.appendingPathComponent("device.key").path
        try DeviceSigner.newKeyFileContents().write(toFile: keyFile, atomically: true, encoding: .utf8)
        client = try await TestClients.connect(broker, "bench-driver") { $0.subscriptionBuffer = 1 << 20 }
        let snapshots = try await DistinctTopics(client, "\(prefix)/+/state")
        emulator = try ChildProcess("lock-emulator", [
            "--broker", broker.url, "--count", "\(count)", "--prefix", "lock-",
            "--state-dir", broker.directory.appendingPathComponent("emulator").path,
            "--device-key-file", keyFile, "--topic-prefix", prefix, "--enable-sim",
            "--heartbeat-interval", "30", "--hash-iterations", "64", "--instance", "emu-bench",
        ])
        Cleanup.track(emulator, "lock-emulator")
        try await waitUntil(120, "\(count) locks to publish their state") { snapshots.count >= count }
        snapshots.stop()
        try await Processes.settle(emulator.pid, "lock-emulator")
    }

    func stop() async throws {
        emulator.send(SIGTERM)
        _ = try await emulator.waitForExit(within: 30)
        Cleanup.forget(emulator.pid)
        await client.disconnect()
        let pid = broker.pid
        try await broker.stop()
        Cleanup.forget(pid)
    }

    /// `lockbridge run` on this stack, ready once every lock is online on the public API.
    func startBridge(base: String, name: String = "bridge", extra: [String] = []) async throws -> (ChildProcess, Duration) {
        let started = ContinuousClock.now
        let online = try await DistinctTopics(client, "\(base)/+/availability") { $0.text == "online" }
        let bridge = try ChildProcess("lockbridge", [
            "run", "--broker", broker.url, "--data-dir", broker.directory.appendingPathComponent(name).path,
            "--base-topic", base, "--device-topic-prefix", prefix, "--device-key-file", keyFile,
        ] + extra)
        Cleanup.track(bridge, "lockbridge")
        let count = self.count
        try await waitUntil(300, "the bridge to report \(count) locks online") { online.count >= count }
        let ready = ContinuousClock.now - started
        online.stop()
        try await Processes.settle(bridge.pid, "lockbridge")
        return (bridge, ready)
    }

    /// The C relay baseline on this stack, ready once subscribed.
    func startRelay(base: String) async throws -> ChildProcess {
        let relay = try ChildProcess("relay-bench-c", ["\(broker.port)", prefix, base, keyFile])
        Cleanup.track(relay, "relay-bench-c")
        try await relay.waitForOutput("ready", within: 10)
        return relay
    }

    func stopChild(_ child: ChildProcess, _ name: String) async throws {
        child.send(SIGTERM)
        let code = try await child.waitForExit(within: 30)
        Cleanup.forget(child.pid)
        guard code == 0 || name == "relay" else {
            throw FixtureError("\(name) exited badly: \(child.text.suffix(2000))")
        }
    }
}

/// Counts the distinct topics under a filter whose message satisfies `accept` (retained ones too).
final class DistinctTopics: Sendable {
    private final class Seen: Sendable {
        let topics = Locked(Set<String>())
    }
    private let seen = Seen()
    private let client: MosquittoClient
    private let token: UInt64

    init(_ client: MosquittoClient, _ filter: String, accept: @escaping @Sendable (MQTTMessage) -> Bool = { _ in true }) async throws {
        self.client = client
        let seen = self.seen
        token = try await client.subscribe(filter, options: SubscribeOptions(qos: .atLeastOnce)) { message in
            if accept(message) { seen.topics.withLock { _ = $0.insert(message.topic) } }
        }
    }

    var count: Int { seen.topics.withLock { $0.count } }
    func stop() { client.unsubscribe(token) }
}

extension Cleanup {
    static func track(_ child: ChildProcess, _ name: String) {
        track(child.pid, name)
        track(path: child.outputFile)
    }
}

/// What /proc says about a child.
enum Processes {
    /// A memory figure of /proc/<pid>/status in MB: VmRSS (resident now) or VmHWM (peak).
    static func memoryMB(_ pid: Int32, _ field: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
            let kB = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kB / 1024
    }

    /// CPU time used so far, in clock ticks (user + system).
    static func cpuTicks(_ pid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start with field 3 (state); utime and stime are 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    static func cpuSeconds(_ pid: Int32) -> Double? {
        cpuTicks(pid).map { Double($0) / Double(sysconf(Int32(_SC_CLK_TCK))) }
    }

    /// CPU µs `pid` used since `last` (CPU seconds, moved on to now), per one of `count` operations.
    static func cpuMicros(_ pid: Int32, since last: inout Double, per count: Int) -> Double {
        let now = cpuSeconds(pid) ?? last
        defer { last = now }
        return (now - last) * 1_000_000 / Double(max(1, count))
    }

    /// Waits (up to two minutes) until `pid` uses under 20 % of a core over one second, so a
    /// measurement does not start while start-up work is still going on.
    static func settle(_ pid: Int32, _ name: String) async throws {
        let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        let deadline = ContinuousClock.now + .seconds(120)
        var before = cpuTicks(pid) ?? 0
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            let now = cpuTicks(pid) ?? 0
            if now - before < ticksPerSecond / 5 { return }
            before = now
        }
        print("  (\(name) was still busy after 120 s; measuring anyway)")
    }
}
