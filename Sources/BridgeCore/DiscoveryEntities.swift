import JSON
import LockAPI
import LockCore

/// One Home Assistant entity of a lock, as both discovery layouts publish it (spec section 5):
/// `device` puts it in `cmps` under ``object``, `entity` gives it a config of its own on
/// `<prefix>/<component>/<node>/<object>/config`. This list is the one description of a
/// lock's entities, so the two layouts cannot drift apart.
struct DiscoveryEntity: Sendable {
    /// The platform (`p` in `cmps`, the component level of an entity topic).
    var component: String
    /// The key in `cmps`, the object level of an entity topic and the end of the unique id.
    var object: String
    /// Shown after the device's name; nil for the lock itself, which takes the device's name.
    /// Chosen so that Home Assistant's own slug of "<device> <name>" is `<lock>_<object>`:
    /// versions that ignore `default_entity_id` derive the same entity id.
    var name: String?
    /// Whether the entity also needs the lock online; diagnostics follow the bridge alone, so
    /// "disconnected" can be shown at all.
    var needsLock: Bool
    var fields: JSONObject
}

extension Discovery {
    /// Every value the access and fault event entities can carry (adding one is a breaking change).
    static let accessEventTypes = AccessEventType.allCases.map(\.rawValue)
    static let faultEventTypes = FaultCode.allCases.flatMap { ["\($0.rawValue)_raised", "\($0.rawValue)_cleared"] }

    /// The lock's `state` values as Home Assistant's lock states (`None` is unknown).
    static let lockStates: [(String, String)] = [
        ("locked", "LOCKED"), ("unlocked", "UNLOCKED"), ("locking", "LOCKING"), ("unlocking", "UNLOCKING"),
        ("jammed", "JAMMED"), ("not_fully_locked", "JAMMED"), ("open", "OPEN"), ("opening", "OPENING"), ("unknown", "None"),
    ]

    /// Who and how the lock was last operated, never a secret. Home Assistant's MQTT lock drops
    /// an attribute named `changed_by`, so the name is `operated_by`.
    static let lockAttributes = """
        {% set a = value_json.last_access or {} %}{% set c = a.get('credential') or {} %}\
        {{ {'operated_by': c.get('name') or a.get('method'), 'method': a.get('method'), \
        'credential_slot': c.get('slot'), 'last_access_at': a.get('at')} | tojson }}
        """

    /// A code, or none: Home Assistant checks `code_format` on `lock` too, where no code is sent.
    static let codeFormat = #"^(\d{4,12})?$"#

    /// The entities of one lock, in publishing order.
    func entities(for id: LockID, codeRequired: Bool) -> [DiscoveryEntity] {
        let state = topics.lock(id, .state)
        let set = topics.lock(id, .set)
        let now = "{{ utcnow().isoformat() }}"
        let states = Self.lockStates.map { "'\($0.0)':'\($0.1)'" }.joined(separator: ",")
        var lock: JSONObject = [
            "command_topic": .string(set), "state_topic": .string(state), "qos": 1, "retain": false,
            "value_template": .string("{{ {\(states)}.get(value_json.lock, 'None') }}"),
            "state_open": "OPEN", "state_opening": "OPENING",
            "command_template": .string(
                #"{"command": "{{ value | lower }}"{% if code %}, "code": "{{ code }}"{% endif %}, "issued_at": "\#(now)"}"#),
            "payload_lock": "LOCK", "payload_unlock": "UNLOCK", "payload_open": "OPEN",
            "json_attributes_topic": .string(state), "json_attributes_template": .string(Self.lockAttributes),
        ]
        if codeRequired { lock["code_format"] = .string(Self.codeFormat) }
        func on(_ topic: String, _ fields: JSONObject) -> JSONObject {
            var out = fields
            out["state_topic"] = .string(topic)
            return out
        }
        return [
            DiscoveryEntity(component: "lock", object: "lock", name: nil, needsLock: true, fields: lock),
            DiscoveryEntity(component: "sensor", object: "battery", name: "Battery", needsLock: false, fields: on(state, [
                "device_class": "battery", "unit_of_measurement": "%", "state_class": "measurement",
                "value_template": "{{ value_json.battery.percent }}", "entity_category": "diagnostic",
            ])),
            DiscoveryEntity(component: "sensor", object: "battery_days_left", name: "Battery days left", needsLock: false, fields: on(state, [
                "unit_of_measurement": "d", "state_class": "measurement", "icon": "mdi:battery-clock", "entity_category": "diagnostic",
                "value_template": "{{ value_json.battery.days_left if value_json.battery.days_left is not none else 'None' }}",
            ])),
            DiscoveryEntity(component: "binary_sensor", object: "battery_low", name: "Battery low", needsLock: false, fields: on(state, [
                "device_class": "battery", "entity_category": "diagnostic",
                "value_template": "{{ 'ON' if value_json.battery.level != 'ok' else 'OFF' }}",
            ])),
            DiscoveryEntity(component: "binary_sensor", object: "problem", name: "Problem", needsLock: false, fields: on(state, [
                "device_class": "problem", "entity_category": "diagnostic",
                "value_template": "{{ 'ON' if value_json.faults | length > 0 else 'OFF' }}",
                "json_attributes_topic": .string(state), "json_attributes_template": "{{ {'faults': value_json.faults} | tojson }}",
            ])),
            DiscoveryEntity(component: "binary_sensor", object: "connectivity", name: "Connectivity", needsLock: false, fields: on(topics.lock(id, .availability), [
                "device_class": "connectivity", "payload_on": "online", "payload_off": "offline", "entity_category": "diagnostic",
            ])),
            DiscoveryEntity(component: "binary_sensor", object: "door", name: "Door", needsLock: true, fields: on(state, [
                "device_class": "door", "value_template": "{{ 'ON' if value_json.door in ['open', 'ajar', 'forced_open'] else 'OFF' }}",
            ])),
            DiscoveryEntity(component: "sensor", object: "last_access", name: "Last access", needsLock: true, fields: on(state, [
                "icon": "mdi:account-key",
                "value_template": "{{ value_json.last_access.method if value_json.last_access else 'none' }}",
                "json_attributes_topic": .string(state), "json_attributes_template": "{{ (value_json.last_access or {}) | tojson }}",
            ])),
            DiscoveryEntity(component: "sensor", object: "ways_in_now", name: "Ways in now", needsLock: false, fields: on(state, [
                "icon": "mdi:door-open", "state_class": "measurement",
                "value_template": "{{ value_json.access.values() | selectattr('usable') | list | length }}",
                "json_attributes_topic": .string(state), "json_attributes_template": "{{ value_json.access | tojson }}",
            ])),
            DiscoveryEntity(component: "select", object: "mode", name: "Mode", needsLock: true, fields: on(state, [
                "command_topic": .string(set), "qos": 1, "retain": false,
                "options": .array(LockMode.allCases.map { .string($0.rawValue) }), "value_template": "{{ value_json.mode }}",
                "command_template": .string(#"{"command": "set_mode", "mode": "{{ value }}", "issued_at": "\#(now)"}"#),
            ])),
            DiscoveryEntity(component: "button", object: "restart", name: "Restart", needsLock: true, fields: [
                "command_topic": .string(set), "payload_press": #"{"command":"restart"}"#, "qos": 1, "retain": false,
                "device_class": "restart", "entity_category": "config",
            ]),
            DiscoveryEntity(component: "button", object: "refresh", name: "Refresh", needsLock: false, fields: [
                "command_topic": .string(set), "payload_press": #"{"command":"refresh"}"#, "qos": 1, "retain": false,
                "entity_category": "diagnostic",
            ]),
            DiscoveryEntity(component: "event", object: "access", name: "Access", needsLock: false, fields: on(topics.lock(id, .accessEvent), [
                "qos": 1, "event_types": .array(Self.accessEventTypes.map { .string($0) }),
            ])),
            DiscoveryEntity(component: "event", object: "fault", name: "Fault", needsLock: false, fields: on(topics.lock(id, .faultEvent), [
                "qos": 1, "event_types": .array(Self.faultEventTypes.map { .string($0) }),
                "value_template": .string(
                    #"{"event_type": "{{ value_json.fault }}_{{ 'raised' if value_json.event_type == 'fault_raised' else 'cleared' }}"}"#),
            ])),
            // The duress alarm is reflected nowhere else (spec section 7): no state, no fault.
            DiscoveryEntity(component: "event", object: "duress", name: "Duress", needsLock: false, fields: on(topics.lock(id, .duressAlert), [
                "qos": 1, "event_types": ["duress", "duress_acknowledged"],
                "value_template": #"{"event_type": "{{ 'duress_acknowledged' if value_json.acknowledged else 'duress' }}", "slot": {{ value_json.slot }}}"#,
            ])),
        ]
    }
}
