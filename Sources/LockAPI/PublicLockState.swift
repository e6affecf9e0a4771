public import Foundation
public import JSON
public import LockCore

/// The retained `<base>/<lock id>/state` payload (spec 3.1): the bridge writes it, the CLI and the
/// `locks` answer read it. Enumerated values are kept as the spec's words, so a client reads a
/// newer bridge's value as text instead of refusing the whole state.
public struct PublicLockState: Sendable, Equatable {
    public struct Battery: Sendable, Equatable {
        public var percent: Int
        public var voltageMillivolts: Int?
        public var level: String
        public var backupPower: Bool
        /// Days until empty, to one decimal; nil without a falling fit.
        public var daysLeft: Double?

        public init(percent: Int, voltageMillivolts: Int? = nil, level: String, backupPower: Bool = false, daysLeft: Double? = nil) {
            (self.percent, self.voltageMillivolts, self.level, self.backupPower, self.daysLeft) =
                (percent, voltageMillivolts, level, backupPower, daysLeft)
        }
    }

    public struct Connectivity: Sendable, Equatable {
        /// `up` or `down`.
        public var wifi: String
        public var ble: String
        public var wifiRSSI: Int?
        public var bleRSSI: Int?

        public init(wifi: String, ble: String, wifiRSSI: Int? = nil, bleRSSI: Int? = nil) {
            (self.wifi, self.ble, self.wifiRSSI, self.bleRSSI) = (wifi, ble, wifiRSSI, bleRSSI)
        }
    }

    /// One way in: whether it works right now, and why not.
    public struct Access: Sendable, Equatable {
        /// `remote`, `keypad`, `ble_phone`, `fob`, `mechanical_key` or `override`.
        public var way: String
        public var usable: Bool
        public var reason: String?

        public init(way: String, usable: Bool, reason: String? = nil) {
            (self.way, self.usable, self.reason) = (way, usable, reason)
        }
    }

    public var lock: String
    public var door: String
    public var mode: String
    public var battery: Battery
    public var connectivity: Connectivity
    public var lockoutUntil: Date?
    /// The six ways in, in the spec's order.
    public var access: [Access]
    public var faults: [String]
    /// The last successful access, with its time.
    public var lastAccess: LastAccess?
    public var lastSeen: Date?
    public var firmware: String?
    public var updatedAt: Date?

    public init(
        lock: String, door: String, mode: String, battery: Battery, connectivity: Connectivity, lockoutUntil: Date? = nil,
        access: [Access], faults: [String] = [], lastAccess: LastAccess? = nil, lastSeen: Date? = nil,
        firmware: String? = nil, updatedAt: Date? = nil
    ) {
        (self.lock, self.door, self.mode, self.battery, self.connectivity) = (lock, door, mode, battery, connectivity)
        (self.lockoutUntil, self.access, self.faults, self.lastAccess) = (lockoutUntil, access, faults, lastAccess)
        (self.lastSeen, self.firmware, self.updatedAt) = (lastSeen, firmware, updatedAt)
    }

    /// The ways that work right now.
    public var usableWays: [String] { access.filter(\.usable).map(\.way) }
}

extension PublicLockState {
    public init(payload: [UInt8]) throws(JSONError) {
        try self.init(json: try JSON.parseObject(payload))
    }

    public init(json o: JSONObject) throws(JSONError) {
        let b = try o.object("battery")
        battery = Battery(
            percent: try b.int("percent"), voltageMillivolts: try b.optionalInt("voltage_mv"), level: try b.string("level"),
            backupPower: try b.optionalBool("backup_power") ?? false, daysLeft: try b.optionalDouble("days_left"))
        let c = try o.object("connectivity")
        connectivity = Connectivity(
            wifi: try c.string("wifi"), ble: try c.string("ble"), wifiRSSI: try c.optionalInt("wifi_rssi"),
            bleRSSI: try c.optionalInt("ble_rssi"))
        let a = try o.object("access")
        access = try a.keys.map { way throws(JSONError) in
            let entry = try a.object(way)
            return Access(way: way, usable: try entry.bool("usable"), reason: try entry.optionalString("reason"))
        }
        faults = try o.array("faults").map { value throws(JSONError) in
            guard let fault = value.stringValue else { throw JSONError(.wrongType, field: "faults", detail: "expected an array of strings") }
            return fault
        }
        (lock, door, mode) = (try o.string("lock"), try o.string("door"), try o.string("mode"))
        lockoutUntil = try o.optionalTime("lockout_until")
        lastAccess = try o.optionalObject("last_access").map { e throws(JSONError) in
            LastAccess(event: try AccessEvent(json: e), at: try e.time("at"))
        }
        lastSeen = try o.optionalTime("last_seen")
        firmware = try o.optionalString("firmware")
        updatedAt = try o.optionalTime("updated_at")
    }

    /// The payload, keys in the spec's order; absent values are `null`.
    public var object: JSONObject {
        var wireless: JSONObject = ["wifi": .string(connectivity.wifi), "ble": .string(connectivity.ble)]
        if let rssi = connectivity.wifiRSSI { wireless["wifi_rssi"] = .int(Int64(rssi)) }
        if let rssi = connectivity.bleRSSI { wireless["ble_rssi"] = .int(Int64(rssi)) }
        var ways = JSONObject()
        for way in access {
            var entry: JSONObject = ["usable": .bool(way.usable)]
            if let reason = way.reason { entry["reason"] = .string(reason) }
            ways[way.way] = .object(entry)
        }
        return [
            "lock": .string(lock), "door": .string(door), "mode": .string(mode),
            "battery": .object([
                "percent": .int(Int64(battery.percent)),
                "voltage_mv": battery.voltageMillivolts.map { .int(Int64($0)) } ?? .null,
                "level": .string(battery.level), "backup_power": .bool(battery.backupPower),
                "days_left": battery.daysLeft.map(JSONValue.double) ?? .null,
            ]),
            "connectivity": .object(wireless),
            "lockout_until": .time(lockoutUntil),
            "access": .object(ways),
            "faults": .array(faults.map(JSONValue.string)),
            "last_access": lastAccess.map { .object($0.object) } ?? .null,
            "last_seen": .time(lastSeen),
            "firmware": firmware.map(JSONValue.string) ?? .null,
            "updated_at": .time(updatedAt),
        ]
    }
}

/// One lock in the `locks` answer: its state with its id and availability.
public struct PublicLockSummary: Sendable, Equatable {
    public var id: String
    public var online: Bool
    public var state: PublicLockState

    public init(id: String, online: Bool, state: PublicLockState) {
        (self.id, self.online, self.state) = (id, online, state)
    }

    public init(json o: JSONObject) throws(JSONError) {
        id = try o.string("id")
        online = try o.string("availability") == "online"
        state = try PublicLockState(json: o)
    }

    public var object: JSONObject {
        var o = state.object
        o["id"] = .string(id)
        o["availability"] = .string(online ? "online" : "offline")
        return o
    }
}
