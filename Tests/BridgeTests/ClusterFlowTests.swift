import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// Two bridges on one PostgreSQL and one mosquitto (spec 8), through real processes.
@Suite struct ClusterFlowTests {
    static let takeover = 3.0

    static func clusterArguments(_ postgres: Postgres, _ instance: String, _ h: URL) -> [String] {
        ["--postgres", postgres.url, "--instance", instance, "--takeover", "\(Int(takeover))", "--plan-key-file", h.appendingPathComponent("plan.key").path]
    }

    /// Shards per instance, from the retained `bridge/info` once it names `count` instances.
    static func shares(_ h: BridgeHarness, _ instances: Set<String>, within seconds: Double = 30, _ what: String,
                       _ accept: @escaping @Sendable ([String: Int]) -> Bool) async throws -> [String: Int] {
        let info = try await h.next("bridge/info", within: seconds, what) { o in
            guard let list = o["instances"]?.objectValue, Set(list.keys) == instances else { return false }
            return accept(counts(list))
        }
        return counts(info["instances"]!.objectValue!)
    }

    static func counts(_ list: JSONObject) -> [String: Int] {
        var out: [String: Int] = [:]
        for (name, value) in list { out[name] = value.objectValue?["shards"]?.arrayValue?.count }
        return out
    }

    @Test(.timeLimit(.minutes(4))) func aKilledBridgesLocksAreServedAgainWithinTheTakeoverAndNothingActuatesTwice() async throws {
        let postgres = try await Postgres.start()
        let ids = (1...40).map { "unit-\($0)" }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let h = try await BridgeHarness.start(ids, bridge: Self.clusterArguments(postgres, "a", dir))
        let b = try ChildProcess("lockbridge", [
            "run", "--broker", h.broker.url, "--data-dir", h.directory.appendingPathComponent("bridge-b").path,
            "--base-topic", h.base, "--device-topic-prefix", h.prefix, "--device-key-file", h.keyFile,
            "--offline-after", "3", "--command-timeout", "5", "--tick-interval", "0.1",
        ] + Self.clusterArguments(postgres, "b", dir))
        let balanced = try await h.explained {
            try await Self.shares(h, ["a", "b"], "both bridges with 32 shards") { $0["a"] == 32 && $0["b"] == 32 }
        }
        #expect(balanced == ["a": 32, "b": 32])

        // Every lock answers once, by whichever bridge owns it.
        let results = try await MessageCollector(h.client, "\(h.base)/+/result")
        for id in ids {
            let result = try await h.command(id, #"{"command":"refresh","request_id":"r-\#(id)","issued_at":"\#(BridgeHarness.issuedNow())"}"#)
            ScheduleFlowTests.ok(result, id)
        }
        @Sendable func answers(_ id: String, _ request: String) -> [MQTTMessage] {
            results.messages.filter { $0.topic == "\(h.base)/\(id)/result" && $0.text?.contains(#""request_id":"\#(request)""#) == true }
        }
        try await waitUntil(5, "every result in") { ids.allSatisfy { !answers($0, "r-\($0)").isEmpty } }
        for id in ids { #expect(answers(id, "r-\(id)").count == 1, "\(id) answered \(answers(id, "r-\(id)").count) times") }

        // Kill -9 bridge a; every lock unlocks within the takeover, each exactly once.
        h.bridge?.send(SIGKILL)
        _ = try await h.bridge?.waitForExit(within: 10)
        let killed = ContinuousClock.now
        var answered = Set<String>()
        while answered.count < ids.count, ContinuousClock.now - killed < .seconds(Self.takeover + 10) {
            for id in ids where !answered.contains(id) {
                try await h.client.publish(
                    "\(h.base)/\(id)/set", text: #"{"command":"unlock","request_id":"u-\#(id)","issued_at":"\#(BridgeHarness.issuedNow())"}"#, qos: .atLeastOnce)
            }
            try await Task.sleep(for: .milliseconds(500))
            for id in ids where answers(id, "u-\(id)").contains(where: { $0.text?.contains(#""status":"ok""#) == true }) {
                answered.insert(id)
            }
        }
        let served = ContinuousClock.now - killed
        #expect(answered.count == ids.count, "\(ids.count - answered.count) locks not served again")
        #expect(served < .seconds(Self.takeover + 3), "served again after \(served)")
        try await waitUntil(5, "the unlocks' events") { ids.allSatisfy { id in h.messages("\(id)/event/access").contains { $0.text?.contains("u-\(id)") == true } } }
        for id in ids {
            let unlocks = h.messages("\(id)/event/access").filter { $0.text?.contains(#""request_id":"u-\#(id)""#) == true }
            #expect(unlocks.count == 1, "\(id) unlocked \(unlocks.count) times")
        }
        _ = try await Self.shares(h, ["b"], "b with every shard") { $0["b"] == 64 }

        // Bridge a comes back: the shares balance again.
        try await h.startBridge()
        _ = try await h.explained { try await Self.shares(h, ["a", "b"], within: 30, "balanced again") { $0["a"] == 32 && $0["b"] == 32 } }
        b.send(SIGTERM)
        _ = try await b.waitForExit(within: 15)
        try await h.stop()
        try await postgres.stop()
    }
}
