import BridgeCore
import Foundation
import JSON
import LockAPI
import Locking
import MQTT
import TestSupport

/// `make bench-cluster` (spec 8): on one broker and one emulator, the bridge on its own (SQLite,
/// the baseline), then one bridge on PostgreSQL, then two; events/s and command p50 for each,
/// ratios against the baseline, and the takeover time after a `kill -9` of one of the two.
func measureCluster(count: Int, settings: Settings) async throws -> [String] {
    let postgres = try await Postgres.start()
    let stack = try await Stack(count: count)
    let driver = Driver(client: stack.client, prefix: stack.prefix, settings: settings)
    say("cluster bench, N = \(count): broker on port \(stack.broker.port), PostgreSQL on \(postgres.port)")
    func measure(_ base: String, _ what: String) async throws -> (Double, Double) {
        var events: [Double] = []
        var p50: [Double] = []
        for run in 1...settings.runs {
            let t = try await driver.eventThroughput(base: base, lockCount: count)
            let l = try await driver.commandLatency(base: base, suffix: "set", lockCount: count, tag: "\(what)\(run)")
            say("  \(what) run \(run): \(Int(t.perSecond)) events/s (\(t.received)/\(t.expected)), command p50 \(Int(l.p50)) µs")
            events.append(t.perSecond)
            p50.append(l.p50)
        }
        return (median(events), median(p50))
    }

    let soloBase = TestNames.baseTopic("solo")
    let (solo, _) = try await stack.startBridge(base: soloBase, name: "solo")
    let baseline = try await measure(soloBase, "sqlite")
    try await stack.stopChild(solo, "lockbridge")

    let base = TestNames.baseTopic("cluster")
    let key = stack.broker.directory.appendingPathComponent("plan.key").path
    func cluster(_ instance: String) -> [String] { ["--postgres", postgres.url, "--instance", instance, "--takeover", "5", "--plan-key-file", key] }
    let info = try await InfoWatch(stack.client, base)
    let (a, _) = try await stack.startBridge(base: base, name: "a", extra: cluster("a"))
    try await info.wait(["a": 64], "bridge a with every shard")
    let one = try await measure(base, "postgres-1")
    let b = try ChildProcess("lockbridge", [
        "run", "--broker", stack.broker.url, "--data-dir", stack.broker.directory.appendingPathComponent("b").path,
        "--base-topic", base, "--device-topic-prefix", stack.prefix, "--device-key-file", stack.keyFile,
    ] + cluster("b"))
    Cleanup.track(b, "lockbridge b")
    let joined = ContinuousClock.now
    try await info.wait(["a": 32, "b": 32], "the shares to balance")
    let balance = (ContinuousClock.now - joined).seconds
    let two = try await measure(base, "postgres-2")

    // Takeover: a dies; every lock of its shards must answer a command again.
    let shardsOfA = Set(info.last["a"] ?? [])
    let locksOfA = (1...count).map { "lock-\($0)" }.filter { shardsOfA.contains(Shards.shard(LockID($0)!)) }
    a.send(SIGKILL)
    _ = try await a.waitForExit(within: 10)
    let takeover = try await driver.servedAgain(base: base, locks: Array(locksOfA.prefix(100)))
    say(String(format: "  takeover: %d of a's locks answer again %.2f s after its kill -9; shares balanced %.1f s after b joined", min(100, locksOfA.count), takeover, balance))
    try await stack.stopChild(b, "lockbridge b")
    try await stack.stop()
    try await postgres.stop()

    var lines = ["cluster bench, medians of \(settings.runs) runs (baseline: one bridge on SQLite, same broker and emulator)"]
    lines.append("metric                         sqlite   postgres x1  ratio   postgres x2  ratio")
    lines.append(String(format: "events/s                     %8.0f   %11.0f  %5.2f   %11.0f  %5.2f", baseline.0, one.0, one.0 / baseline.0, two.0, two.0 / baseline.0))
    lines.append(String(format: "command p50 µs               %8.0f   %11.0f  %5.2f   %11.0f  %5.2f", baseline.1, one.1, one.1 / baseline.1, two.1, two.1 / baseline.1))
    lines.append(String(format: "takeover after kill -9 s     %.2f (takeover_s 5; the limit)", takeover))
    lines.append(String(format: "shares balanced after join s %.1f (limit 30)", balance))
    return lines
}

/// The retained `bridge/info`'s instances and their shards, as it changes.
final class InfoWatch: Sendable {
    private final class Latest: Sendable {
        let value = Locked([String: [Int]]())
    }
    private let latest = Latest()
    private let token: UInt64
    private let client: MosquittoClient

    init(_ client: MosquittoClient, _ base: String) async throws {
        self.client = client
        let latest = self.latest
        token = try await client.subscribe("\(base)/bridge/info", options: SubscribeOptions(qos: .atLeastOnce)) { message in
            guard let o = try? JSON.parseObject(message.payload), let list = o["instances"]?.objectValue else { return }
            var out: [String: [Int]] = [:]
            for (name, value) in list { out[name] = (value.objectValue?["shards"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) } }
            latest.value.withLock { $0 = out }
        }
    }

    var last: [String: [Int]] { latest.value.withLock { $0 } }

    func wait(_ counts: [String: Int], _ what: String) async throws {
        try await waitUntil(60, what, every: .milliseconds(20)) { self.last.mapValues(\.count) == counts }
    }

    deinit { client.unsubscribe(token) }
}

extension Driver {
    /// Seconds until every one of `locks` answered a `refresh` with ok, asking every 200 ms.
    func servedAgain(base: String, locks: [String]) async throws -> Double {
        let start = ContinuousClock.now
        let done = Locked(Set<String>())
        let token = try await client.subscribe("\(base)/+/result", options: SubscribeOptions(qos: .atLeastOnce)) { message in
            guard Payload.contains(message.payload, Array(#""status":"ok""#.utf8)), Payload.contains(message.payload, Array(#""take-"#.utf8)) else { return }
            let lock = String(message.topic.split(separator: "/").dropLast().last ?? "")
            done.withLock { _ = $0.insert(lock) }
        }
        defer { client.unsubscribe(token) }
        var round = 0
        while done.withLock({ $0.count }) < locks.count {
            guard ContinuousClock.now - start < .seconds(60) else { throw BenchFailure("locks not served again within 60 s") }
            let answered = done.withLock { $0 }
            for lock in locks where !answered.contains(lock) {
                let payload = #"{"command":"refresh","request_id":"take-\#(lock)-\#(round)"}"#
                try await client.publish("\(base)/\(lock)/set", payload: Array(payload.utf8), qos: .atLeastOnce)
            }
            round += 1
            try await Task.sleep(for: .milliseconds(200))
        }
        return (ContinuousClock.now - start).seconds
    }
}
