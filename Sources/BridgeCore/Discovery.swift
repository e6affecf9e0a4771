import Foundation
import JSON
import LockAPI
import LockCore

/// Home Assistant MQTT discovery (spec section 5): retained configs under
/// `<prefix>/<component>/<node>/<object>/config`, one device per lock via the bridge's device.
struct Discovery: Sendable {
    let prefix: String
    let topics: PublicTopics
    let version: String
    let templates = DiscoveryTemplates()

    /// Ids and node ids include the base topic, so two bridges never collide. ASCII letters and
    /// digits only: Home Assistant ignores a config whose node id has anything but `[a-zA-Z0-9_-]`
    /// (a base topic like `home/Schlösser` would otherwise hide every entity).
    var baseID: String { String(topics.base.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }) }
    /// Lock ids are already within `[a-z0-9_-]`, and kept as they are so `front-door` and
    /// `front_door` stay two devices.
    func node(_ id: LockID) -> String { "\(baseID)_\(id.rawValue)" }
    var bridgeNode: String { "\(baseID)_bridge" }

    /// Every value the access and fault event entities can carry (adding one is a breaking change).
    static let accessEventTypes = AccessEventType.allCases.map(\.rawValue)
    static let faultEventTypes = FaultCode.allCases.flatMap { ["\($0.rawValue)_raised", "\($0.rawValue)_cleared"] }

    /// The entities of one lock: (component, object id, config).
    func configs(for id: LockID, firmware: String?, codeRequired: Bool) -> [(String, String, JSONObject)] {
        let state = topics.lock(id, .state)
        let set = topics.lock(id, .set)
        let bridgeOnly: JSONValue = .array([.object(["topic": .string(topics.bridgeState)])])
        let withLock: JSONValue = .array([.object(["topic": .string(topics.bridgeState)]), .object(["topic": .string(topics.lock(id, .availability))])])
        func entity(_ object: String, _ name: String?, availability: JSONValue, _ fields: JSONObject) -> JSONObject {
            var o: JSONObject = [
                "name": name.map { .string($0) } ?? .null, "unique_id": .string("\(node(id))_\(object)"),
                "object_id": .string("\(node(id))_\(object)"), "device": .object(device(id, firmware: firmware)),
                "origin": .object(origin), "availability": availability,
            ]
            if case .array(let list) = availability, list.count > 1 { o["availability_mode"] = "all" }
            for (key, value) in fields { o[key] = value }
            return o
        }
        let now = "{{ utcnow().isoformat() }}"
        var lock: JSONObject = [
            "command_topic": .string(set), "state_topic": .string(state), "qos": 1, "retain": false,
            "value_template": .string(
                "{{ {'locked':'LOCKED','unlocked':'UNLOCKED','locking':'LOCKING','unlocking':'UNLOCKING','jammed':'JAMMED',"
                    + "'not_fully_locked':'JAMMED','open':'UNLOCKED','opening':'UNLOCKING'}.get(value_json.lock, 'None') }}"),
            "command_template": .string(
                #"{"command": "{{ value | lower }}"{% if code %}, "code": "{{ code }}"{% endif %}, "issued_at": "\#(now)"}"#),
            "payload_lock": "LOCK", "payload_unlock": "UNLOCK", "payload_open": "OPEN",
        ]
        if codeRequired { lock["code_format"] = #"^\d{4,12}$"# }
        return [
            ("lock", "lock", entity("lock", nil, availability: withLock, lock)),
            ("sensor", "battery", entity("battery", "Battery", availability: bridgeOnly, [
                "state_topic": .string(state), "device_class": "battery", "unit_of_measurement": "%",
                "state_class": "measurement", "value_template": "{{ value_json.battery.percent }}", "entity_category": "diagnostic",
            ])),
            ("binary_sensor", "battery_low", entity("battery_low", "Battery low", availability: bridgeOnly, [
                "state_topic": .string(state), "device_class": "battery", "entity_category": "diagnostic",
                "value_template": "{{ 'ON' if value_json.battery.level != 'ok' else 'OFF' }}",
            ])),
            ("binary_sensor", "problem", entity("problem", "Problem", availability: bridgeOnly, [
                "state_topic": .string(state), "device_class": "problem", "entity_category": "diagnostic",
                "value_template": "{{ 'ON' if value_json.faults | length > 0 else 'OFF' }}",
                "json_attributes_topic": .string(state), "json_attributes_template": "{{ {'faults': value_json.faults} | tojson }}",
            ])),
            ("binary_sensor", "connectivity", entity("connectivity", "Connectivity", availability: bridgeOnly, [
                "state_topic": .string(topics.lock(id, .availability)), "device_class": "connectivity",
                "payload_on": "online", "payload_off": "offline", "entity_category": "diagnostic",
            ])),
            ("binary_sensor", "door", entity("door", "Door", availability: withLock, [
                "state_topic": .string(state), "device_class": "door",
                "value_template": "{{ 'ON' if value_json.door in ['open', 'ajar', 'forced_open'] else 'OFF' }}",
            ])),
            ("sensor", "last_access", entity("last_access", "Last access", availability: withLock, [
                "state_topic": .string(state), "icon": "mdi:account-key",
                "value_template": "{{ value_json.last_access.method if value_json.last_access else 'none' }}",
                "json_attributes_topic": .string(state), "json_attributes_template": "{{ (value_json.last_access or {}) | tojson }}",
            ])),
            ("select", "mode", entity("mode", "Mode", availability: withLock, [
                "state_topic": .string(state), "command_topic": .string(set), "qos": 1, "retain": false,
                "options": .array(LockMode.allCases.map { .string($0.rawValue) }), "value_template": "{{ value_json.mode }}",
                "command_template": .string(#"{"command": "set_mode", "mode": "{{ value }}", "issued_at": "\#(now)"}"#),
            ])),
            ("button", "restart", entity("restart", "Restart", availability: withLock, [
                "command_topic": .string(set), "payload_press": #"{"command":"restart"}"#, "qos": 1, "retain": false,
                "device_class": "restart", "entity_category": "config",
            ])),
            ("button", "refresh", entity("refresh", "Refresh", availability: bridgeOnly, [
                "command_topic": .string(set), "payload_press": #"{"command":"refresh"}"#, "qos": 1, "retain": false,
                "entity_category": "diagnostic",
            ])),
            ("event", "access", entity("access", "Access", availability: bridgeOnly, [
                "state_topic": .string(topics.lock(id, .accessEvent)), "qos": 1,
                "event_types": .array(Self.accessEventTypes.map { .string($0) }),
            ])),
            ("event", "fault", entity("fault", "Fault", availability: bridgeOnly, [
                "state_topic": .string(topics.lock(id, .faultEvent)), "qos": 1,
                "event_types": .array(Self.faultEventTypes.map { .string($0) }),
                "value_template": .string(
                    #"{"event_type": "{{ value_json.fault }}_{{ 'raised' if value_json.event_type == 'fault_raised' else 'cleared' }}"}"#),
            ])),
        ]
    }

    /// The bridge's own device, which every lock is `via_device` of.
    func bridgeConfig() -> (String, String, JSONObject) {
        ("binary_sensor", "connection", [
            "name": "Connection", "unique_id": .string("\(bridgeNode)_connection"), "object_id": .string("\(bridgeNode)_connection"),
            "state_topic": .string(topics.bridgeState), "payload_on": "online", "payload_off": "offline",
            "device_class": "connectivity", "entity_category": "diagnostic",
            "device": .object([
                "identifiers": .array([.string(bridgeNode)]), "name": "LockBridge", "manufacturer": "LockBridge",
                "model": "MQTT bridge", "sw_version": .string(version),
            ]),
            "origin": .object(origin),
        ])
    }

    func topic(_ component: String, _ node: String, _ object: String) -> String { "\(prefix)/\(component)/\(node)/\(object)/config" }

    private var origin: JSONObject { ["name": "LockBridge", "sw_version": .string(version)] }

    private func device(_ id: LockID, firmware: String?) -> JSONObject {
        var o: JSONObject = [
            "identifiers": .array([.string(node(id))]), "name": .string(id.rawValue), "manufacturer": "LockBridge",
            "model": "Smart lock", "via_device": .string(bridgeNode),
        ]
        if let firmware { o["sw_version"] = .string(firmware) }
        return o
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
            configs(for: DiscoveryTemplates.placeholder, firmware: firmware, codeRequired: codeRequired).map { component, object, config in
                DiscoveryTemplates.Template(topic: topic(component, node(DiscoveryTemplates.placeholder), object), payload: BridgeMachine.bytes(config))
            }
        }
        return set.map { $0.publication(for: id) }
    }

    /// Empty retained configs, which make Home Assistant forget a removed lock's entities.
    func removals(_ id: LockID) -> [Publication] {
        configs(for: id, firmware: nil, codeRequired: false).map { component, object, _ in
            Publication(topic: topic(component, node(id), object), payload: [], retain: true)
        }
    }

    func bridgePublication() -> Publication {
        let (component, object, config) = bridgeConfig()
        return Publication(topic: topic(component, bridgeNode, object), payload: BridgeMachine.bytes(config), retain: true)
    }
}
