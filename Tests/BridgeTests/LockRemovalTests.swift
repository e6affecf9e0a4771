import Foundation
import JSON
import MQTT
import Testing
import TestSupport

/// Removing a lock: on request (`lockbridge remove`) and when the allow-list drops it.
@Suite struct LockRemovalTests {
    /// Retained messages under `filters` on a fresh connection: everything before a marker
    /// published after subscribing (the broker sends retained messages first).
    func retained(_ h: BridgeHarness, _ filters: [String]) async throws -> [MQTTMessage] {
        let client = try await TestClients.connect(h.broker, "retained-check")
        let marker = "\(h.base)/marker/\(UUID().uuidString.prefix(8))"
        let collectors = try await (filters + [marker]).asyncMap { try await MessageCollector(client, $0) }
        try await client.publish(marker, text: "m", qos: .atLeastOnce)
        try await waitUntil(10, "the marker") { collectors.last!.messages.count == 1 }
        await client.disconnect()
        return collectors.dropLast().flatMap(\.messages).filter { !$0.payload.isEmpty }
    }

    @Test func aRemovedLockIsClearedAndStaysGoneUntilItReportsAgain() async throws {
        let prefix = TestNames.baseTopic("ha")
        let h = try await BridgeHarness.start(["old-shed", "den"], bridge: ["--discovery-prefix", prefix])
        let filters = ["\(prefix)/device/+/config", "\(h.base)/old-shed/#"]
        // The state follows the discovery configs on the same connection, so they are stored by now.
        _ = try await h.state("old-shed")
        #expect(try await retained(h, filters).contains { $0.topic.contains("old-shed") })

        let online = try await h.cli(["remove", "old-shed"])
        #expect(online.code == 3)
        #expect(online.output.contains("lock_online"))

        h.emulator?.send(SIGKILL)
        try await h.waitForAvailability("old-shed", "offline")
        let removed = try await h.cli(["remove", "old-shed"])
        #expect(removed.code == 0, "\(removed.output)")
        let left = try await retained(h, filters)
        #expect(!left.contains { $0.topic.contains("old-shed") }, "\(left.map(\.topic))")
        #expect(left.contains { $0.topic.contains("_den") })
        let status = try await h.cli(["status"])
        #expect(!status.output.contains("old-shed") && status.output.contains("den"))

        // Its retained device snapshot does not bring it back after a bridge restart.
        try await h.restartBridge()
        // Retained snapshots reach the bridge when it subscribes, before this later command.
        let refresh = try await h.cli(["refresh", "den"])
        #expect(refresh.output.contains("lock_offline"))
        let all = try await h.cli(["status", "--json"])
        let ids = (try JSON.parse(all.output.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []).compactMap { $0.objectValue?["id"]?.stringValue }
        #expect(ids == ["den"])
        #expect(!(try await retained(h, filters)).contains { $0.topic.contains("old-shed") })

        // A live report does.
        try await h.startEmulator()
        try await h.waitForAvailability("old-shed", "online", within: 20)
        try await h.stop()
    }
}

extension LockRemovalTests {
    @Test func aLockTheAllowListDropsIsRemovedAtStart() async throws {
        let h = try await BridgeHarness.start(["kept", "dropped"])
        _ = try await h.state("dropped")
        let config = h.directory.appendingPathComponent("allow.yaml").path
        try "allow_list: [kept]\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await h.restartBridge(["--config", config])
        let left = try await retained(h, ["\(h.base)/+/state", "\(h.base)/+/availability"])
        let locks = Set(left.map(\.topic).filter { !$0.hasPrefix("\(h.base)/bridge/") })
        #expect(locks == ["\(h.base)/kept/availability", "\(h.base)/kept/state"] as Set)
        try await h.stop()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
