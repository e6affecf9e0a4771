/// Every topic of the contract in one place, with its payload type, direction, QoS and retain
/// flag, as zigbee2mqtt's `lib/types/api.ts` lists its API. `<base>` and `<prefix>` stand for the
/// base topic and the device-link prefix, `<lock>` for a lock id, `<name>` for a request name.
public enum TopicCatalogue {
    public enum Direction: String, Sendable {
        /// Published by the bridge on the public API.
        case bridgeOut = "bridge → clients"
        /// Published by users and automations to the bridge.
        case clientIn = "clients → bridge"
        /// Lock (emulator) to bridge, on the device link.
        case lockToBridge = "lock → bridge"
        /// Bridge to lock, signed.
        case bridgeToLock = "bridge → lock"
        /// Tests and demos to the emulator (`--enable-sim` only).
        case simulation = "test → emulator"
    }

    public struct Entry: Sendable {
        public let pattern: String
        /// The Swift type (or plain text) of the payload.
        public let payload: String
        public let direction: Direction
        public let qos: Int
        public let retained: Bool
    }

    public static let all: [Entry] = [
        // Bridge topics (spec section 2).
        Entry(pattern: "<base>/bridge/state", payload: "text online|offline (also the Last Will)", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/bridge/info", payload: "BridgeInfo", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/bridge/request/<name>", payload: "BridgeRequest, optional transaction", direction: .clientIn, qos: 1, retained: false),
        Entry(pattern: "<base>/bridge/response/<name>", payload: "BridgeResponse", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/bridge/request/plan/<name>", payload: "BridgeRequest plan/… (apply, remove, status, list)", direction: .clientIn, qos: 1, retained: false),
        Entry(pattern: "<base>/bridge/response/plan/<name>", payload: "BridgeResponse", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/bridge/plan/<name>", payload: "PlanStatus (no codes)", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/bridge/event/plan", payload: "plan event {event, plan, lock, …}", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/bridge/instances/<name>", payload: "text online|offline (several bridges, spec 8)", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/bridge/fence", payload: "text token (the bridge to itself)", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/reply/<anything>", payload: "ResultPayload or BridgeResponse (MQTT 5 replies)", direction: .bridgeOut, qos: 1, retained: false),
        // Per-lock topics (spec section 3).
        Entry(pattern: "<base>/<lock>/availability", payload: "text online|offline", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/<lock>/state", payload: "PublicLockState (filled by StatePayload in BridgeCore)", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/<lock>/alert/duress", payload: "duress alert {slot, at, seq}", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/<lock>/alert/battery", payload: "battery alert {level, percent, since}", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/<lock>/credentials", payload: "CredentialList (with rotate_by)", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<base>/<lock>/event/access", payload: "EventPayload.access", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/<lock>/event/fault", payload: "EventPayload (fault)", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/<lock>/event/credential", payload: "EventPayload (credential)", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/<lock>/event/system", payload: "EventPayload (system)", direction: .bridgeOut, qos: 1, retained: false),
        Entry(pattern: "<base>/<lock>/set", payload: "CommandRequest (CommandParser)", direction: .clientIn, qos: 1, retained: false),
        Entry(pattern: "<base>/<lock>/result", payload: "ResultPayload", direction: .bridgeOut, qos: 1, retained: false),
        // Home Assistant discovery (spec section 5).
        // The bridge also reads both forms at connect, to migrate the configs of an earlier run.
        Entry(pattern: "<discovery>/device/<node>/config", payload: "device discovery config (BridgeCore Discovery), or migrate_discovery", direction: .bridgeOut, qos: 1, retained: true),
        Entry(pattern: "<discovery>/<component>/<node>/<object>/config", payload: "entity discovery config (BridgeCore Discovery), or migrate_discovery", direction: .bridgeOut, qos: 1, retained: true),
        // Device link (docs/device-link.md).
        Entry(pattern: "<prefix>/<lock>/state", payload: "DeviceSnapshot", direction: .lockToBridge, qos: 1, retained: true),
        Entry(pattern: "<prefix>/<lock>/heartbeat", payload: "heartbeat {v, at, uptime_s}", direction: .lockToBridge, qos: 0, retained: false),
        Entry(pattern: "<prefix>/<lock>/event", payload: "EventPayload with v, category, epoch", direction: .lockToBridge, qos: 1, retained: false),
        Entry(pattern: "<prefix>/<lock>/ack", payload: "DeviceAck (CommandResult)", direction: .lockToBridge, qos: 1, retained: false),
        Entry(pattern: "<prefix>/<lock>/cmd", payload: "DeviceCommand, signed", direction: .bridgeToLock, qos: 1, retained: false),
        Entry(pattern: "<prefix>/<lock>/resend", payload: "ResendRequest, signed", direction: .bridgeToLock, qos: 1, retained: false),
        Entry(pattern: "<prefix>/<lock>/sim", payload: "sim action (LockEmulator)", direction: .simulation, qos: 1, retained: false),
        Entry(pattern: "<prefix>/<lock>/sim/result", payload: "sim result", direction: .simulation, qos: 1, retained: false),
        Entry(pattern: "<prefix>/_emulator/<instance>/status", payload: "text online|offline (the emulator's Last Will)", direction: .lockToBridge, qos: 1, retained: true),
    ]

    /// The entry whose pattern `topic` fits, given the base topic, device prefix and discovery prefix.
    public static func entry(for topic: String, base: String, prefix: String, discovery: String = "homeassistant") -> Entry? {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        return all.first { entry in
            var pattern: [String] = []
            for part in entry.pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
                switch part {
                case "<base>": pattern += base.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                case "<prefix>": pattern += prefix.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                case "<discovery>": pattern += discovery.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                default: pattern.append(part)
                }
            }
            guard pattern.count == levels.count || pattern.last == "<anything>" && levels.count >= pattern.count else { return false }
            return zip(pattern, levels).allSatisfy { want, have in
                if want == "<lock>" { return LockID(have) != nil }
                if want.hasPrefix("<") { return !have.isEmpty }
                return want == have
            }
        }
    }
}
