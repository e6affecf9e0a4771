import AuditLog
import Foundation
import JSON
import LockAPI
import Logging
import MQTT
import PostgresStore
import Testing
import TestSupport

/// Two bridges (instances `a`, the harness's own, and `b`) on one PostgreSQL and one mosquitto.
struct ClusterHarness {
    static let takeover = 3.0
    let postgres: Postgres
    let h: BridgeHarness
    let b: ChildProcess
    let shared: URL

    static func start(_ ids: [String]) async throws -> ClusterHarness {
        let postgres = try await Postgres.start()
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        let h = try await BridgeHarness.start(ids, bridge: arguments(postgres, "a", shared))
        return ClusterHarness(postgres: postgres, h: h, b: try startB(h, postgres, shared), shared: shared)
    }

    static func arguments(_ postgres: Postgres, _ instance: String, _ shared: URL) -> [String] {
        ["--postgres", postgres.url, "--instance", instance, "--takeover", "\(Int(takeover))", "--plan-key-file", shared.appendingPathComponent("plan.key").path]
    }

    static func startB(_ h: BridgeHarness, _ postgres: Postgres, _ shared: URL) throws -> ChildProcess {
        try ChildProcess("lockbridge", [
            "run", "--broker", h.broker.url, "--data-dir", h.directory.appendingPathComponent("bridge-b").path,
            "--base-topic", h.base, "--device-topic-prefix", h.prefix, "--device-key-file", h.keyFile,
            "--offline-after", "3", "--command-timeout", "5", "--tick-interval", "0.1",
        ] + arguments(postgres, "b", shared))
    }

    /// Shards per instance, from the retained `bridge/info` once `accept` likes them.
    func shares(_ instances: Set<String>, within seconds: Double = 30, _ what: String, _ accept: @escaping @Sendable ([String: Int]) -> Bool) async throws -> [String: Int] {
        let info = try await h.explained {
            try await h.next("bridge/info", within: seconds, what) { o in
                guard let list = o["instances"]?.objectValue, Set(list.keys) == instances else { return false }
                return accept(Self.counts(list))
            }
        }
        return Self.counts(info["instances"]!.objectValue!)
    }

    static func counts(_ list: JSONObject) -> [String: Int] {
        var out: [String: Int] = [:]
        for (name, value) in list { out[name] = value.objectValue?["shards"]?.arrayValue?.count }
        return out
    }

    /// Every lock event the shared log holds, as lock/epoch/seq.
    func loggedEvents(_ ids: [String]) async throws -> Set<String> {
        var logger = Logger(label: "cluster-test")
        logger.logLevel = .warning
        let store = try PostgresStore(url: postgres.url, password: nil, logger: logger)
        return try await withThrowingTaskGroup(of: Set<String>?.self) { group in
            group.addTask {
                await store.run()
                return nil
            }
            defer { group.cancelAll() }
            var out = Set<String>()
            for id in ids {
                for record in try await store.history(lock: id, since: nil, limit: 1_000_000) {
                    if let epoch = record.epoch, let seq = record.seq { out.insert("\(id)/\(epoch)/\(seq)") }
                }
            }
            return out
        }
    }

    func stop() async throws {
        b.send(SIGTERM)
        _ = try? await b.waitForExit(within: 15)
        try await h.stop()
        try await postgres.stop()
        try? FileManager.default.removeItem(at: shared)
    }
}

/// Sim key turns on the locks, round robin, until stopped: the steady load of spec 8's test.
final class KeyTurns: Sendable {
    private let task: Task<Void, Never>

    init(_ h: BridgeHarness, _ ids: [String], perSecond: Int) {
        task = Task {
            var n = 0
            while !Task.isCancelled {
                let id = ids[n % ids.count]
                let turn = (n / ids.count) % 2 == 0 ? "unlock" : "lock"
                try? await h.client.publish("\(h.prefix)/\(id)/sim", text: #"{"action":"key","turn":"\#(turn)"}"#, qos: .atLeastOnce)
                n += 1
                try? await Task.sleep(for: .milliseconds(1000 / perSecond))
            }
        }
    }

    func stop() { task.cancel() }
}
