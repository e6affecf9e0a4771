@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Home Assistant discovery through the core alone (spec section 5): both layouts, entity ids,
/// the lock's states and attributes, and the migration between layouts.
@Suite struct DiscoveryLayoutTests {
    static let objects = [
        "lock", "battery", "battery_days_left", "battery_low", "problem", "connectivity", "door", "last_access", "ways_in_now",
        "mode", "restart", "refresh", "access", "fault", "duress",
    ]

    /// A harness whose fence came back and whose lock `door` has reported.
    static func reported(_ change: (inout BridgeConfiguration) -> Void = { _ in }) -> CoreHarness {
        var h = CoreHarness(change)
        h.connect()
        h.report("door")
        return h
    }

    @Test func deviceLayoutIsOneConfigPerLockWithEveryEntity() throws {
        let h = Self.reported()
        let configs = h.effects.json("homeassistant/device/lockbridge_door/config")
        #expect(configs.count == 1)
        let config = try #require(configs.first)
        let dev = try #require(config["dev"]?.objectValue)
        #expect(dev["ids"] == .array(["lockbridge_door"]))
        #expect(dev["name"]?.stringValue == "door" && dev["mf"]?.stringValue == "LockBridge" && dev["mdl"]?.stringValue == "Smart lock")
        #expect(dev["via_device"]?.stringValue == "lockbridge_bridge")
        #expect(dev["sw"]?.stringValue != nil)
        let origin = try #require(config["o"]?.objectValue)
        #expect(origin["name"]?.stringValue == "LockBridge" && origin["sw"]?.stringValue == BridgeMachine.version)
        #expect(origin["url"]?.stringValue?.hasPrefix("https://") == true)
        let cmps = try #require(config["cmps"]?.objectValue)
        #expect(Set(cmps.keys) == Set(Self.objects))
        for (object, value) in cmps {
            let component = try #require(value.objectValue)
            #expect(component["p"]?.stringValue != nil, "\(object)")
            #expect(component["unique_id"]?.stringValue == "lockbridge_door_\(object)")
            #expect(component["object_id"] == nil, "object_id was dropped by Home Assistant 2026.4")
        }
        // Nothing in the per-entity layout, and the bridge is a device of its own.
        #expect(!h.effects.publications.contains { $0.topic.hasPrefix("homeassistant/lock/") })
        let bridge = try #require(h.effects.json("homeassistant/device/lockbridge_bridge/config").first)
        #expect(bridge["cmps"]?.objectValue?["connection"]?.objectValue?["default_entity_id"]?.stringValue == "binary_sensor.lockbridge_connection")
    }

    /// The two layouts come from one description: each entity config is its `cmps` entry with
    /// `dev` and `o` beside it.
    @Test func bothLayoutsCarryTheSameEntities() throws {
        let device = Self.reported()
        let entity = Self.reported { $0.discoveryMode = .entity }
        let whole = try #require(device.effects.json("homeassistant/device/lockbridge_door/config").first)
        let cmps = try #require(whole["cmps"]?.objectValue)
        let perEntity = entity.effects.publications.filter { $0.topic.hasPrefix("homeassistant/") && $0.topic.contains("/lockbridge_door/") }
        #expect(perEntity.count == Self.objects.count)
        for publication in perEntity {
            let levels = publication.topic.split(separator: "/")
            let (component, object) = (String(levels[1]), String(levels[3]))
            var config = try JSON.parseObject(publication.payload)
            #expect(config.removeValue(forKey: "dev") == whole["dev"])
            #expect(config.removeValue(forKey: "o") == whole["o"])
            var expected = try #require(cmps[object]?.objectValue)
            #expect(expected.removeValue(forKey: "p")?.stringValue == component)
            #expect(config == expected, "\(object)")
        }
    }

    @Test func entityIDsAreWhatHomeAssistantDerivesFromTheNames() throws {
        var h = CoreHarness()
        h.connect()
        h.report("front-door")
        let cmps = try #require(h.effects.json("homeassistant/device/lockbridge_front-door/config").first?["cmps"]?.objectValue)
        func id(_ object: String) -> String? { cmps[object]?.objectValue?["default_entity_id"]?.stringValue }
        #expect(id("lock") == "lock.front_door")
        #expect(id("battery") == "sensor.front_door_battery")
        #expect(id("battery_days_left") == "sensor.front_door_battery_days_left")
        #expect(id("ways_in_now") == "sensor.front_door_ways_in_now")
        #expect(id("access") == "event.front_door_access")
        // Every other entity: the platform, then the slug of "<device name> <entity name>".
        for (object, value) in cmps {
            let component = try #require(value.objectValue)
            let name = component["name"]?.stringValue.map { " \($0)" } ?? ""
            #expect(id(object) == "\(component["p"]!.stringValue!).\(Discovery.slug("front-door\(name)"))")
            #expect(object == "lock" || Discovery.slug(name) == object, "the name of \(object) must slug to its object id")
        }
        #expect(cmps["lock"]?.objectValue?["name"] == .null)
    }

    @Test(arguments: [
        ("front-door", "front_door"), ("Front Door", "front_door"), ("a__b-", "a_b"), ("-x-", "x"), ("Schlösser 2", "schl_sser_2"),
        ("lock-9999", "lock_9999"),
    ])
    func slugsLikeHomeAssistant(_ text: String, _ slug: String) {
        #expect(Discovery.slug(text) == slug)
    }

    @Test func theLockShowsOpenJammedAndWhoOperatedIt() throws {
        let h = Self.reported()
        let lock = try #require(h.effects.json("homeassistant/device/lockbridge_door/config").first?["cmps"]?.objectValue?["lock"]?.objectValue)
        #expect(lock["state_open"]?.stringValue == "OPEN" && lock["state_opening"]?.stringValue == "OPENING")
        #expect(lock["payload_open"]?.stringValue == "OPEN")
        let template = try #require(lock["value_template"]?.stringValue)
        for (value, state) in [("locked", "LOCKED"), ("open", "OPEN"), ("opening", "OPENING"), ("jammed", "JAMMED"), ("not_fully_locked", "JAMMED"), ("unknown", "None")] {
            #expect(template.contains("'\(value)':'\(state)'"), "\(value)")
        }
        // Every lock state of the contract is mapped.
        let mapped = Set(Discovery.lockStates.map(\.0))
        #expect(mapped == Set(["locked", "unlocked", "locking", "unlocking", "not_fully_locked", "jammed", "open", "opening", "unknown"]))
        #expect(lock["json_attributes_topic"]?.stringValue == "lockbridge/door/state")
        let attributes = try #require(lock["json_attributes_template"]?.stringValue)
        for name in ["operated_by", "method", "credential_slot", "last_access_at"] { #expect(attributes.contains("'\(name)'")) }
        #expect(!attributes.contains("changed_by") && !attributes.contains("code"))
        #expect(lock["code_format"] == nil)
    }

    @Test func aRequiredCodeAlsoAcceptsNoCode() throws {
        var h = Self.reported()
        h.report("door") { $0 = Lock(salt: Array(repeating: 1, count: 16), config: LockConfig(requireCodeForRemote: true)) }
        let lock = try #require(h.effects.json("homeassistant/device/lockbridge_door/config").last?["cmps"]?.objectValue?["lock"]?.objectValue)
        let format = try #require(lock["code_format"]?.stringValue)
        let regex = try Regex(format)
        for code in ["", "1234", "583920", "123456789012"] { #expect(code.wholeMatch(of: regex) != nil, "\(code)") }
        for code in ["123", "12a4", "1234567890123", " 1234"] { #expect(code.wholeMatch(of: regex) == nil, "\(code)") }
    }

    @Test func configsFollowFirmwareAndTheCodeRequirementAndCanBeTurnedOff() {
        var h = Self.reported()
        #expect(h.report("door").publications.filter { $0.topic.hasPrefix("homeassistant/") }.isEmpty)
        let strict = h.report("door") { $0 = Lock(salt: Array(repeating: 1, count: 16), config: LockConfig(requireCodeForRemote: true)) }
        #expect(strict.publications.filter { $0.topic.hasPrefix("homeassistant/") }.map(\.topic) == ["homeassistant/device/lockbridge_door/config"])
        let off = Self.reported { $0.discovery = false }
        #expect(off.effects.publications.allSatisfy { !$0.topic.hasPrefix("homeassistant/") })
    }

    /// Every retained config of an earlier run arrives before the fence, so nothing is published
    /// before it returns: a config sent earlier could not be part of a migration.
    @Test func configsWaitForTheFence() {
        var h = CoreHarness()
        let connected = h.handle(.connected)
        #expect(h.report("door").publications.allSatisfy { !$0.topic.hasPrefix("homeassistant/") })
        #expect(h.handle(.homeAssistantOnline).isEmpty)
        let fence = connected.publications.first { $0.topic == "lockbridge/bridge/fence" }!
        let passed = h.handle(.fence(token: fence.text))
        #expect(passed.publications.map(\.topic).filter { $0.hasPrefix("homeassistant/") }
            == ["homeassistant/device/lockbridge_bridge/config", "homeassistant/device/lockbridge_door/config"])
        #expect(h.handle(.homeAssistantOnline).publications.contains { $0.topic == "homeassistant/device/lockbridge_door/config" })
    }

    /// An earlier run's per-entity configs: `migrate_discovery` on each, then the device config,
    /// then the old topics cleared. Another bridge's, and a config with a foreign unique id, stay.
    @Test func perEntityConfigsOfAnEarlierRunAreMigrated() throws {
        var h = CoreHarness()
        let connected = h.handle(.connected)
        h.report("door")
        func leftover(_ topic: String, _ uniqueID: String) {
            h.handle(.discoveryConfig(topic: topic, payload: Array(#"{"unique_id":"\#(uniqueID)","name":null}"#.utf8)))
        }
        leftover("homeassistant/lock/lockbridge_door/lock/config", "lockbridge_door_lock")
        leftover("homeassistant/sensor/lockbridge_door/battery/config", "lockbridge_door_battery")
        leftover("homeassistant/binary_sensor/lockbridge_bridge/connection/config", "lockbridge_bridge_connection")
        leftover("homeassistant/lock/other_door/lock/config", "other_door_lock")
        leftover("homeassistant/lock/lockbridge_door/extra/config", "someone_else")
        leftover("homeassistant/lock/lockbridge_gone/lock/config", "lockbridge_gone_lock")
        let fence = connected.publications.first { $0.topic == "lockbridge/bridge/fence" }!
        let out = h.handle(.fence(token: fence.text)).publications.filter { $0.topic.hasPrefix("homeassistant/") }
        let migrate = Array(#"{"migrate_discovery":true}"#.utf8)
        let expected: [(String, [UInt8]?)] = [
            ("homeassistant/binary_sensor/lockbridge_bridge/connection/config", migrate),
            ("homeassistant/device/lockbridge_bridge/config", nil),
            ("homeassistant/binary_sensor/lockbridge_bridge/connection/config", []),
            ("homeassistant/lock/lockbridge_door/lock/config", migrate),
            ("homeassistant/sensor/lockbridge_door/battery/config", migrate),
            ("homeassistant/device/lockbridge_door/config", nil),
            ("homeassistant/lock/lockbridge_door/lock/config", []),
            ("homeassistant/sensor/lockbridge_door/battery/config", []),
        ]
        #expect(out.map(\.topic) == expected.map(\.0))
        for (publication, (_, payload)) in zip(out, expected) {
            #expect(publication.retain)
            if let payload { #expect(publication.payload == payload, "\(publication.topic)") } else { #expect(!publication.payload.isEmpty) }
        }
        // The device config keeps the old node id and the old object ids as its cmps keys.
        let cmps = try #require(out.first { $0.topic == "homeassistant/device/lockbridge_door/config" }.map { try JSON.parseObject($0.payload) }?["cmps"]?.objectValue)
        #expect(cmps["lock"]?.objectValue?["unique_id"]?.stringValue == "lockbridge_door_lock")
        #expect(cmps["battery"]?.objectValue?["unique_id"]?.stringValue == "lockbridge_door_battery")
        // Later configs after a reconnect need no migration any more.
        let before = h.effects.count
        h.connect()
        #expect(!Array(h.effects[before...]).publications.contains { $0.payload == migrate })
        #expect(Array(h.effects[before...]).publications.contains { $0.topic == "homeassistant/device/lockbridge_door/config" })
    }

    /// Going back to `discovery_mode: entity` migrates the device config the same way.
    @Test func aDeviceConfigIsMigratedBackToEntities() {
        var h = CoreHarness { $0.discoveryMode = .entity }
        let connected = h.handle(.connected)
        h.report("door")
        h.handle(.discoveryConfig(
            topic: "homeassistant/device/lockbridge_door/config", payload: Array(#"{"dev":{"ids":["lockbridge_door"]},"cmps":{}}"#.utf8)))
        h.handle(.discoveryConfig(topic: "homeassistant/device/lockbridge_x/config", payload: Array(#"{"dev":{"ids":["someone"]}}"#.utf8)))
        let fence = connected.publications.first { $0.topic == "lockbridge/bridge/fence" }!
        let out = h.handle(.fence(token: fence.text)).publications.filter { $0.topic.contains("lockbridge_door") }
        #expect(out.first?.topic == "homeassistant/device/lockbridge_door/config")
        #expect(out.first?.payload == Array(#"{"migrate_discovery":true}"#.utf8))
        #expect(out.dropFirst().dropLast().count == Self.objects.count)
        #expect(out.dropFirst().dropLast().allSatisfy { $0.topic.hasPrefix("homeassistant/") && !$0.topic.hasPrefix("homeassistant/device/") })
        #expect(out.last?.topic == "homeassistant/device/lockbridge_door/config" && out.last?.payload == [])
        #expect(!h.effects.publications.contains { $0.topic == "homeassistant/device/lockbridge_x/config" })
    }

    @Test(arguments: DiscoveryMode.allCases)
    func aRemovedLocksConfigsAreCleared(_ mode: DiscoveryMode) {
        var h = Self.reported { $0.discoveryMode = mode }
        let published = Set(h.effects.publications.map(\.topic).filter { $0.contains("lockbridge_door") })
        h.advance(4)
        h.handle(.tick)
        let removed = h.handle(.request(RequestMessage(name: "remove", payload: Array(#"{"lock":"door"}"#.utf8))))
        let cleared = removed.publications.filter { $0.topic.hasPrefix("homeassistant/") }
        #expect(Set(cleared.map(\.topic)) == published)
        #expect(cleared.allSatisfy { $0.payload.isEmpty && $0.retain })
    }

    @Test func theScanFilterAndItsFirstCheck() {
        var configuration = BridgeConfiguration()
        configuration.baseTopic = "home/Schlösser"
        let device = DiscoveryScan(configuration)
        #expect(device.filter == "homeassistant/+/+/+/config")
        #expect(device.mightBeOurs("homeassistant/lock/home_Schl_sser_door/lock/config"))
        #expect(!device.mightBeOurs("homeassistant/lock/zigbee_door/lock/config"))
        configuration.discoveryMode = .entity
        let entity = DiscoveryScan(configuration)
        #expect(entity.filter == "homeassistant/device/+/config")
        #expect(entity.mightBeOurs("homeassistant/device/home_Schl_sser_door/config"))
        #expect(!entity.mightBeOurs("homeassistant/device/zigbee/config"))
    }
}

@Suite struct DiscoveryTemplateTests {
    /// The spliced configs are byte for byte what rendering them for the lock gives, in both layouts.
    @Test(arguments: ["door", "front_door", "a", "lock-9999", "x--y-", "9"], DiscoveryMode.allCases)
    func templatesGiveTheSameBytesAsRendering(_ name: String, _ mode: DiscoveryMode) {
        var h = CoreHarness { $0.discoveryMode = mode }
        h.connect()
        h.report(name)
        let discovery = h.machine.settings.discovery!
        let record = h.machine.locks[LockID(name)!]!
        let spliced = discovery.publications(for: record)
        let rendered = discovery.configs(for: record.id, firmware: record.snapshot?.firmware, codeRequired: false).map { topic, config in
            Publication(topic: topic, payload: BridgeMachine.bytes(config), retain: true)
        }
        #expect(spliced == rendered)
        #expect(!spliced.contains { $0.text.contains("placeholder") || $0.topic.contains("placeholder") })
    }
}
