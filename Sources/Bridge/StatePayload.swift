import Foundation
import JSON
import LockAPI
import LockCore

/// The public `state` payload (spec 3.1), from the lock's snapshot and the bridge's own facts.
enum StatePayload {
    static func object(_ record: LockRecord, now: Date) -> JSONObject {
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
        record.snapshot?.credentials.object(rotation: configuration.codeRotationDays * 86_400) ?? [:]
    }

    func batteryAlertMessage(_ record: LockRecord, now: Date) -> BridgeOutput {
        let percent = record.snapshot?.battery.percent ?? 0
        let payload: JSONObject = [
            "level": .string(record.batteryLevel.rawValue), "percent": .int(Int64(percent.rounded(.up))),
            "since": .time(record.batteryLevelSince ?? now),
        ]
        return .publish(topic: publicTopics.lock(record.id, .batteryAlert), payload: Self.bytes(payload), retain: true)
    }
}
