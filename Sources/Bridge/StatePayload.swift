import Foundation
import Logging
import JSON
import LockAPI
import LockCore

/// The public `state` payload (spec 3.1), from the lock's snapshot and the bridge's own facts.
enum StatePayload {
    static func object(_ record: LockRecord, now: Date) -> JSONObject {
        let parsed = record.snapshot
        let snapshot = parsed ?? [:]
        let battery = snapshot["battery"]?.objectValue ?? [:]
        let radio = snapshot["radio"]?.objectValue ?? [:]
        func updown(_ key: String) -> JSONValue { .string(radio[key]?.boolValue == false ? "down" : "up") }
        var connectivity: JSONObject = ["wifi": updown("wifi"), "ble": updown("ble")]
        if let rssi = radio["wifi_rssi"] { connectivity["wifi_rssi"] = rssi }
        if let rssi = radio["ble_rssi"] { connectivity["ble_rssi"] = rssi }
        return [
            "lock": snapshot["lock"] ?? "unknown",
            "door": snapshot["door"] ?? "unknown",
            "mode": snapshot["mode"] ?? "normal",
            "battery": .object([
                "percent": .int(Int64((battery["percent"]?.doubleValue ?? 0).rounded(.up))),
                "voltage_mv": battery["voltage_mv"] ?? .null,
                "level": .string(record.batteryLevel.rawValue),
                "backup_power": battery["backup_power"] ?? false,
                "days_left": record.forecast.daysLeft.map { .double(($0 * 10).rounded() / 10) } ?? .null,
            ]),
            "connectivity": .object(connectivity),
            "lockout_until": snapshot["lockout_until"] ?? .null,
            "access": .object(access(record, parsed)),
            "faults": .array(record.activeFaults(parsed).map { .string($0) }),
            "last_access": snapshot["last_access"] ?? .null,
            "last_seen": record.lastSeen.map { .string(RFC3339.format($0)) } ?? .null,
            "firmware": snapshot["firmware"] ?? .null,
            "updated_at": .string(RFC3339.format(record.updatedAt)),
        ]
    }

    /// The six ways in as the lock reports them, with remote use blocked while it is offline.
    static func access(_ record: LockRecord, _ snapshot: JSONObject?) -> JSONObject {
        var ways = snapshot?["access"]?.objectValue ?? [:]
        if !record.online && snapshot != nil {
            ways["remote"] = .object(["usable": false, "reason": .string(record.wifiUp ? "lock_offline" : "wifi_down")])
        }
        if snapshot == nil {
            for way in AccessWay.allCases { ways[way.rawValue] = .object(["usable": false, "reason": "lock_offline"]) }
        }
        return ways
    }
}

extension BridgeCore {
    func stateMessage(_ record: LockRecord, now: Date) -> BridgeOutput {
        .publish(topic: publicTopics.lock(record.id, .state), payload: Self.bytes(StatePayload.object(record, now: now)), retain: true)
    }

    func availabilityMessage(_ record: LockRecord) -> BridgeOutput {
        .publish(topic: publicTopics.lock(record.id, .availability), payload: Array((record.online ? "online" : "offline").utf8), retain: true)
    }

    func credentialsMessage(_ record: LockRecord, now: Date) -> BridgeOutput {
        .publish(topic: publicTopics.lock(record.id, .credentials), payload: Self.bytes(credentialsObject(record)), retain: true)
    }

    /// Credential metadata as the lock reports it, plus when each code should be rotated.
    func credentialsObject(_ record: LockRecord) -> JSONObject {
        var credentials = record.snapshot?["credentials"]?.objectValue ?? [:]
        let rotation = configuration.codeRotationDays * 86_400
        if let codes = credentials["codes"]?.arrayValue {
            credentials["codes"] = .array(codes.map { code in
                guard var o = code.objectValue, let setAt = o["set_at"]?.stringValue.flatMap(RFC3339.parse) else { return code }
                o["rotate_by"] = .string(RFC3339.format(setAt.addingTimeInterval(rotation)))
                return .object(o)
            })
        }
        return credentials
    }

    func batteryAlertMessage(_ record: LockRecord, now: Date) -> BridgeOutput {
        let percent = record.snapshot?["battery"]?.objectValue?["percent"]?.doubleValue ?? 0
        let payload: JSONObject = [
            "level": .string(record.batteryLevel.rawValue), "percent": .int(Int64(percent.rounded(.up))),
            "since": .string(RFC3339.format(record.batteryLevelSince ?? now)),
        ]
        return .publish(topic: publicTopics.lock(record.id, .batteryAlert), payload: Self.bytes(payload), retain: true)
    }
}
