import Foundation
import JSON
import MQTT
import Testing
import TestSupport

/// Home Assistant discovery through a real broker (spec section 5). What Home Assistant itself
/// makes of it is checked by `make test-ha` against a live Home Assistant.
@Suite struct DiscoveryTests {
    static let entities = 15

    /// The retained discovery configs under `prefix` now, as a late Home Assistant finds them.
    static func retained(_ h: BridgeHarness, _ prefix: String) async throws -> [MQTTMessage] {
        let late = try await TestClients.connect(h.broker, "late-ha")
        let marker = "\(prefix)-marker/\(UUID().uuidString)"
        let stored = try await MessageCollector(late, "\(prefix)/#")
        let fence = try await MessageCollector(late, marker)
        try await late.publish(marker, text: "m", qos: .atLeastOnce)
        try await waitUntil(10, "the marker") { fence.messages.count == 1 }
        await late.disconnect()
        return stored.messages.filter { $0.retain && !$0.payload.isEmpty }
    }

    @Test func homeAssistantFindsEveryEntityInOneConfigPerLock() async throws {
        let prefix = TestNames.baseTopic("ha")
        let h = try await BridgeHarness.start(["front-door"], bridge: ["--discovery-prefix", prefix])
        let configs = try await MessageCollector(h.client, "\(prefix)/#")
        let topic = "\(prefix)/device/\(Self.node(h, "front-door"))/config"
        @Sendable func config() -> JSONObject? { configs.messages.last { $0.topic == topic }.flatMap { try? JSON.parseObject($0.payload) } }
        try await waitUntil(10, "the lock's device config") { config() != nil }
        let cmps = try #require(config()?["cmps"]?.objectValue)
        #expect(cmps.count == Self.entities)
        let lock = try #require(cmps["lock"]?.objectValue)
        #expect(lock["p"]?.stringValue == "lock")
        #expect(lock["command_topic"]?.stringValue == "\(h.base)/front-door/set")
        #expect(lock["availability_mode"]?.stringValue == "all")
        #expect(lock["availability"]?.arrayValue?.count == 2)
        #expect(lock["unique_id"]?.stringValue?.hasSuffix("_front-door_lock") == true)
        #expect(lock["default_entity_id"]?.stringValue == "lock.front_door")
        #expect(lock["code_format"] == nil)
        #expect(lock["command_template"]?.stringValue?.contains("issued_at") == true)
        #expect(config()?["dev"]?.objectValue?["via_device"]?.stringValue?.hasSuffix("_bridge") == true)
        #expect(config()?["o"]?.objectValue?["name"]?.stringValue == "LockBridge")
        #expect(cmps["fault"]?.objectValue?["event_types"]?.arrayValue?.contains("override_used_raised") == true)
        // Diagnostic entities follow the bridge alone, so "disconnected" can be shown at all.
        for object in ["connectivity", "battery", "battery_days_left", "ways_in_now", "refresh", "problem"] {
            #expect(cmps[object]?.objectValue?["availability"]?.arrayValue?.count == 1, "\(object)")
        }
        #expect(cmps["mode"]?.objectValue?["options"]?.arrayValue?.count == 5)
        #expect(!configs.messages.contains { $0.topic.split(separator: "/").count == prefix.split(separator: "/").count + 4 })

        // Requiring a code for remote use republishes the lock with a code format.
        _ = try await h.command("front-door", #"{"command":"set_code","slot":1,"name":"A","code":"583920","request_id":"d1"}"#)
        _ = try await h.command("front-door", #"{"command":"set_config","require_code_for_remote":true,"code":"583920","request_id":"d2"}"#)
        try await waitUntil(10, "the lock config with a code_format") {
            config()?["cmps"]?.objectValue?["lock"]?.objectValue?["code_format"]?.stringValue == #"^(\d{4,12})?$"#
        }

        // Retained: a Home Assistant that connects later finds the lock's and the bridge's.
        let stored = try await Self.retained(h, prefix)
        #expect(Set(stored.map(\.topic)) == [topic, "\(prefix)/device/\(Self.node(h, "bridge"))/config"])

        // Home Assistant restarts: everything comes again.
        let before = configs.messages.count
        try await h.client.publish("\(prefix)/status", text: "online")
        try await waitUntil(10, "configs republished") { configs.messages.dropFirst(before).contains { $0.topic == topic } }
        try await h.stop()
    }

    /// Home Assistant ignores a config whose topic has anything but `[a-zA-Z0-9_-]` in the node or
    /// object id (its discovery `TOPIC_MATCHER`), so a base topic with other letters must not leak in.
    @Test(arguments: ["device", "entity"])
    func nodeIDsStayWithinWhatHomeAssistantAccepts(_ mode: String) async throws {
        let prefix = TestNames.baseTopic("ha")
        let h = try await BridgeHarness.start(
            ["front-door"], bridge: ["--discovery-prefix", prefix, "--discovery-mode", mode], baseName: "Schlösser.2")
        let expected = mode == "device" ? 2 : Self.entities + 1
        let configs = try await MessageCollector(h.client, "\(prefix)/#")
        try await waitUntil(10, "\(expected) discovery configs") { configs.messages.filter { $0.topic.hasSuffix("/config") }.count >= expected }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".utf8)
        for message in configs.messages where message.topic.hasSuffix("/config") {
            let levels = message.topic.dropFirst(prefix.count + 1).split(separator: "/")
            #expect(levels.count == (mode == "device" ? 3 : 4), "\(message.topic)")
            #expect(levels.dropFirst().dropLast().allSatisfy { $0.utf8.allSatisfy(allowed.contains) }, "\(message.topic)")
            let config = try JSON.parseObject(message.payload)
            let uniqueIDs = mode == "device"
                ? (config["cmps"]?.objectValue?.compactMap { $0.value.objectValue?["unique_id"]?.stringValue } ?? [])
                : [config["unique_id"]?.stringValue].compactMap { $0 }
            #expect(!uniqueIDs.isEmpty && uniqueIDs.allSatisfy { $0.hasPrefix(String(levels[1])) }, "\(message.topic)")
        }
        try await h.stop()
    }

    /// An upgrade from per-entity discovery, and back: `migrate_discovery` on every old topic, the
    /// new layout's configs, and only then the old topics cleared. What Home Assistant keeps
    /// (entity ids, history) is checked live by `make test-ha`.
    @Test func switchingLayoutsMigratesTheEarlierConfigs() async throws {
        let prefix = TestNames.baseTopic("ha")
        let h = try await BridgeHarness.start(["front-door"], bridge: ["--discovery-prefix", prefix, "--discovery-mode", "entity"])
        let node = Self.node(h, "front-door")
        let deviceTopic = "\(prefix)/device/\(node)/config"
        try await waitUntil(10, "the per-entity configs") { try await Self.retained(h, prefix).count == Self.entities + 1 }
        let old = Set(try await Self.retained(h, prefix).map(\.topic).filter { $0.contains("/\(node)/") })
        #expect(old.count == Self.entities)

        let configs = try await MessageCollector(h.client, "\(prefix)/#")
        try await h.restartBridge(["--discovery-mode", "device"])
        try await waitUntil(10, "the old topics cleared") {
            configs.messages.filter { old.contains($0.topic) && $0.payload.isEmpty }.count == old.count
        }
        let seen = configs.messages.filter { !$0.retain }
        let migrated = seen.lastIndex { old.contains($0.topic) && $0.text == #"{"migrate_discovery":true}"# }
        let device = seen.firstIndex { $0.topic == deviceTopic && !$0.payload.isEmpty }
        let firstClear = seen.firstIndex { old.contains($0.topic) && $0.payload.isEmpty }
        #expect(seen.filter { old.contains($0.topic) && $0.text == #"{"migrate_discovery":true}"# }.count == old.count)
        #expect(migrated != nil && device != nil && firstClear != nil)
        if let migrated, let device, let firstClear { #expect(migrated < device && device < firstClear) }
        let cmps = try JSON.parseObject(seen[device!].payload)["cmps"]?.objectValue
        #expect(Set(cmps?.keys.map { "\(prefix)/\(cmps![$0]!.objectValue!["p"]!.stringValue!)/\(node)/\($0)/config" } ?? []) == old)
        try await waitUntil(10, "only device configs left") {
            Set(try await Self.retained(h, prefix).map(\.topic)) == [deviceTopic, "\(prefix)/device/\(Self.node(h, "bridge"))/config"]
        }

        // And back: the device config is migrated to entities again.
        try await h.restartBridge(["--discovery-mode", "entity"])
        try await waitUntil(10, "the per-entity configs again") {
            let left = try await Self.retained(h, prefix).map(\.topic)
            return Set(left.filter { $0.contains("/\(node)/") }) == old && !left.contains(deviceTopic)
        }
        #expect(configs.messages.contains { $0.topic == deviceTopic && $0.text == #"{"migrate_discovery":true}"# })
        try await h.stop()
    }

    /// The node id of `lock` (or `bridge`): the base topic reduced to `[a-zA-Z0-9_]`, then the id.
    static func node(_ h: BridgeHarness, _ lock: String) -> String {
        String(h.base.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }) + "_" + lock
    }
}
