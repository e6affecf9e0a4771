import Foundation
import JSON
import MQTT
import Testing
import TestSupport

@Suite struct DiscoveryTests {
    @Test func homeAssistantFindsEveryEntity() async throws {
        let prefix = TestNames.baseTopic("ha")
        let h = try await BridgeHarness.start(["front-door"], bridge: ["--discovery-prefix", prefix])
        let configs = try await MessageCollector(h.client, "\(prefix)/#")
        try await waitUntil(10, "13 discovery configs") { configs.messages.filter { $0.topic.hasSuffix("/config") }.count >= 13 }
        @Sendable func config(_ component: String, _ object: String) throws -> JSONObject {
            let message = try #require(configs.messages.last { $0.topic.hasPrefix("\(prefix)/\(component)/") && $0.topic.hasSuffix("/\(object)/config") })
            return try JSON.parseObject(message.payload)
        }
        let lock = try config("lock", "lock")
        #expect(lock["command_topic"]?.stringValue == "\(h.base)/front-door/set")
        #expect(lock["availability_mode"]?.stringValue == "all")
        #expect(lock["availability"]?.arrayValue?.count == 2)
        #expect(lock["unique_id"]?.stringValue?.hasSuffix("_front-door_lock") == true)
        #expect(lock["code_format"] == nil)
        #expect(lock["device"]?.objectValue?["via_device"]?.stringValue?.hasSuffix("_bridge") == true)
        #expect(lock["origin"]?.objectValue?["name"]?.stringValue == "LockBridge")
        #expect(lock["command_template"]?.stringValue?.contains("issued_at") == true)
        let faults = try config("event", "fault")
        #expect(faults["event_types"]?.arrayValue?.contains("override_used_raised") == true)
        // Diagnostic entities follow the bridge alone, so "disconnected" can be shown at all.
        for (component, object) in [("binary_sensor", "connectivity"), ("sensor", "battery"), ("button", "refresh"), ("binary_sensor", "problem")] {
            #expect(try config(component, object)["availability"]?.arrayValue?.count == 1, "\(component) \(object)")
        }
        #expect(try config("select", "mode")["options"]?.arrayValue?.count == 5)

        // Requiring a code for remote use republishes the lock with a code format.
        _ = try await h.command("front-door", #"{"command":"set_code","slot":1,"name":"A","code":"583920","request_id":"d1"}"#)
        _ = try await h.command("front-door", #"{"command":"set_config","require_code_for_remote":true,"code":"583920","request_id":"d2"}"#)
        try await waitUntil(10, "the lock config with a code_format") {
            (try? config("lock", "lock"))?["code_format"] != nil
        }

        // Retained: a Home Assistant that connects later finds them all.
        let late = try await TestClients.connect(h.broker, "late-ha")
        let stored = try await MessageCollector(late, "\(prefix)/+/+/+/config")
        let first = try await stored.collect(13, "retained configs")
        #expect(first.allSatisfy { $0.retain })
        await late.disconnect()

        // Home Assistant restarts: everything comes again.
        let before = configs.messages.count
        try await h.client.publish("\(prefix)/status", text: "online")
        try await waitUntil(10, "configs republished") { configs.messages.count >= before + 13 }
        try await h.stop()
    }

    /// Home Assistant ignores a config whose topic has anything but `[a-zA-Z0-9_-]` in the node or
    /// object id (its discovery `TOPIC_MATCHER`), so a base topic with other letters must not leak in.
    @Test func nodeIDsStayWithinWhatHomeAssistantAccepts() async throws {
        let prefix = TestNames.baseTopic("ha")
        let h = try await BridgeHarness.start(["front-door"], bridge: ["--discovery-prefix", prefix], baseName: "Schlösser.2")
        let configs = try await MessageCollector(h.client, "\(prefix)/#")
        try await waitUntil(10, "13 discovery configs") { configs.messages.filter { $0.topic.hasSuffix("/config") }.count >= 13 }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".utf8)
        for message in configs.messages where message.topic.hasSuffix("/config") {
            let levels = message.topic.dropFirst(prefix.count + 1).split(separator: "/")
            #expect(levels.count == 4, "\(message.topic)")
            #expect(levels.dropFirst().dropLast().allSatisfy { $0.utf8.allSatisfy(allowed.contains) }, "\(message.topic)")
            let config = try JSON.parseObject(message.payload)
            #expect(config["unique_id"]?.stringValue?.hasPrefix(String(levels[1])) == true, "\(message.topic)")
        }
        try await h.stop()
    }
}
