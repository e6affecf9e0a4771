import Foundation
import JSON
import LockAPI
import LockCore

/// The public `state` payload (spec 3.1), from the lock's snapshot and the bridge's own facts.
enum StatePayload {
    static func object(_ record: LockRecord) -> JSONObject {
        let snapshot = record.snapshot
        let radio = snapshot?.radio
        var connectivity: JSONObject = [
            "wifi": .string(radio?.wifi == false ? "down" : "up"), "ble": .string(radio?.ble == false ? "down" : "up"),
        ]
        if let rssi = radio?.wifiRSSI { connectivity["wifi_rssi"] = .int(Int64(rssi)) }
        if let rssi = radio?.bleRSSI { connectivity["ble_rssi"] = .int(Int64(rssi)) }
        return [
            "lock": .string(snapshot?.lock.rawValue ?? LockState.unknown.rawValue),
            "door": .string(snapshot?.door.rawValue ?? DoorState.unknown.rawValue),
            "mode": .string(snapshot?.mode.rawValue ?? LockMode.normal.rawValue),
            "battery": .object([
                "percent": .int(Int64((snapshot?.battery.percent ?? 0).rounded(.up))),
                "voltage_mv": snapshot?.battery.voltageMillivolts.map { .int(Int64($0)) } ?? .null,
                "level": .string(record.batteryLevel.rawValue),
                "backup_power": .bool(snapshot?.battery.backupPower ?? false),
                "days_left": record.forecast.daysLeft.map { .double(($0 * 10).rounded() / 10) } ?? .null,
            ]),
            "connectivity": .object(connectivity),
            "lockout_until": .time(snapshot?.lockoutUntil),
            "access": .object(record.access.object),
            "faults": .array(record.activeFaults.map { .string($0) }),
            "last_access": snapshot?.lastAccess.map { .object($0.object) } ?? .null,
            "last_seen": .time(record.lastSeen),
            "firmware": snapshot?.firmware.map(JSONValue.string) ?? .null,
            "updated_at": .time(record.updatedAt),
        ]
    }
}
