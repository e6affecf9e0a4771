import Foundation
import JSON
import LockAPI
import LockCore

/// Home Assistant MQTT discovery (spec section 5): retained configs, one per lock on
/// `<prefix>/device/<node>/config` (`device` mode) or one per entity on
/// `<prefix>/<component>/<node>/<object>/config` (`entity` mode), and the bridge's own device.
/// Both layouts are made from ``entities(for:codeRequired:)``.
struct Discovery: Sendable {
    let prefix: String
    let mode: DiscoveryMode
    let topics: PublicTopics
    let version: String
    let templates = DiscoveryTemplates()

    /// The origin's `url`: where a user finds what the entities mean.
    static let docsURL = "https://github.com/lockbridge/lockbridge/blob/main/docs/home-assistant.md"

    /// Ids and node ids include the base topic, so two bridges never collide. ASCII letters and
    /// digits only: Home Assistant ignores a config whose node id has anything but `[a-zA-Z0-9_-]`
    /// (a base topic like `home/Schlösser` would otherwise hide every entity).
    var baseID: String { String(topics.base.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }) }
    /// Lock ids are already within `[a-z0-9_-]`, and kept as they are so `front-door` and
    /// `front_door` stay two devices.
    func node(_ id: LockID) -> String { "\(baseID)_\(id.rawValue)" }
    var bridgeNode: String { "\(baseID)_bridge" }

    /// A lock's configs: (topic, payload), one per lock in `device` mode, one per entity in `entity` mode.
    /// `slug` is the lock id as Home Assistant slugs it (``slug(_:)``), for the entity ids.
    func configs(for id: LockID, slug: String? = nil, firmware: String?, codeRequired: Bool) -> [(String, JSONObject)] {
        var device: JSONObject = [
            "ids": .array([.string(node(id))]), "name": .string(id.rawValue), "mf": "LockBridge", "mdl": "Smart lock",
            "via_device": .string(bridgeNode),
        ]
        if let firmware { device["sw"] = .string(firmware) }
        let deviceSlug = slug ?? Self.slug(id.rawValue)
        return render(node: node(id), device: device, lockAvailability: topics.lock(id, .availability), entities(for: id, codeRequired: codeRequired)) {
            "\($0.component).\([deviceSlug, $0.name.map(Self.slug)].compactMap { $0 }.joined(separator: "_"))"
        }
    }

    /// The bridge's own device, which every lock is `via_device` of.
    func bridgeConfigs() -> [(String, JSONObject)] {
        let device: JSONObject = [
            "ids": .array([.string(bridgeNode)]), "name": "LockBridge", "mf": "LockBridge", "mdl": "MQTT bridge", "sw": .string(version),
        ]
        let connection = DiscoveryEntity(component: "binary_sensor", object: "connection", name: "Connection", needsLock: false, fields: [
            "state_topic": .string(topics.bridgeState), "payload_on": "online", "payload_off": "offline",
            "device_class": "connectivity", "entity_category": "diagnostic",
        ])
        return render(node: bridgeNode, device: device, lockAvailability: nil, [connection]) {
            "\($0.component).\(Self.slug("LockBridge \($0.name ?? "")"))"
        }
    }

    /// The entities as configs of the configured layout; `dev` and `o` are the same in both.
    private func render(
        node: String, device: JSONObject, lockAvailability: String?, _ entities: [DiscoveryEntity], entityID: (DiscoveryEntity) -> String
    ) -> [(String, JSONObject)] {
        let origin: JSONObject = ["name": "LockBridge", "sw": .string(version), "url": .string(Self.docsURL)]
        let bridgeOnly: JSONValue = .array([.object(["topic": .string(topics.bridgeState)])])
        let withLock: JSONValue = .array([.object(["topic": .string(topics.bridgeState)])] + (lockAvailability.map { [.object(["topic": .string($0)])] } ?? []))
        func component(_ entity: DiscoveryEntity) -> JSONObject {
            var o = entity.fields
            o["name"] = entity.name.map { .string($0) } ?? .null
            o["unique_id"] = .string("\(node)_\(entity.object)")
            o["default_entity_id"] = .string(entityID(entity))
            o["availability"] = entity.needsLock ? withLock : bridgeOnly
            if entity.needsLock { o["availability_mode"] = "all" }
            return o
        }
        switch mode {
        case .device:
            var cmps = JSONObject()
            for entity in entities {
                var o = component(entity)
                o["p"] = .string(entity.component)
                cmps[entity.object] = .object(o)
            }
            return [(deviceTopic(node), ["dev": .object(device), "o": .object(origin), "cmps": .object(cmps)])]
        case .entity:
            return entities.map { entity in
                var o = component(entity)
                o["dev"] = .object(device)
                o["o"] = .object(origin)
                return (entityTopic(entity.component, node, entity.object), o)
            }
        }
    }

    func deviceTopic(_ node: String) -> String { "\(prefix)/device/\(node)/config" }
    func entityTopic(_ component: String, _ node: String, _ object: String) -> String { "\(prefix)/\(component)/\(node)/\(object)/config" }

    /// Home Assistant's `slugify`: lower case, every run of other characters one `_`, none at the
    /// ends. Entity ids are `<platform>.<slug of "device name">[_<slug of the entity name>]`
    /// (`lock.front_door`, `sensor.front_door_battery`), which is also what Home Assistant
    /// derives itself from the names when it ignores `default_entity_id`.
    static func slug(_ text: String) -> String {
        var out = ""
        var gap = false
        for c in text.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) {
                if gap && !out.isEmpty { out.append("_") }
                out.append(c)
                gap = false
            } else {
                gap = true
            }
        }
        return out.isEmpty ? "unknown" : out
    }

    /// What a lock's configs depend on (`code_format` follows `require_code_for_remote`; the
    /// device shows the firmware); nil until the lock reports.
    func key(_ record: LockRecord) -> String? {
        guard let snapshot = record.snapshot else { return nil }
        return "\(snapshot.firmware ?? "")|\(snapshot.config.requireCodeForRemote)"
    }

    /// A lock's configs, to publish paced; nil until it reports.
    func item(for record: LockRecord) -> DiscoveryItem? {
        guard let snapshot = record.snapshot else { return nil }
        return DiscoveryItem(discovery: self, lock: record.id, firmware: snapshot.firmware, codeRequired: snapshot.config.requireCodeForRemote)
    }

    /// A lock's configs as retained publications; none until it reports.
    func publications(for record: LockRecord) -> [Publication] { item(for: record)?.publications() ?? [] }

    func publications(_ id: LockID, firmware: String?, codeRequired: Bool) -> [Publication] {
        let set = templates.set(for: "\(firmware ?? "")|\(codeRequired)") {
            configs(for: DiscoveryTemplates.placeholder, slug: DiscoveryTemplates.slugPlaceholder, firmware: firmware, codeRequired: codeRequired).map { topic, config in
                DiscoveryTemplates.Template(topic: topic, payload: BridgeMachine.bytes(config))
            }
        }
        return set.map { $0.publication(for: id) }
    }

    /// Empty retained configs, which make Home Assistant forget a removed lock's entities.
    func removals(_ id: LockID) -> [Publication] {
        configs(for: id, firmware: nil, codeRequired: false).map { topic, _ in Publication(topic: topic, payload: [], retain: true) }
    }

    func bridgePublications() -> [Publication] {
        bridgeConfigs().map { Publication(topic: $0.0, payload: BridgeMachine.bytes($0.1), retain: true) }
    }
}
