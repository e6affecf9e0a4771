import Foundation
import JSON
import LockAPI
import LockCore

/// The public `state` payload (spec 3.1), from the lock's snapshot and the bridge's own facts.
enum StatePayload {
    static func state(_ record: LockRecord) -> PublicLockState {
        let snapshot = record.snapshot
        let radio = snapshot?.radio
        return PublicLockState(
            lock: snapshot?.lock.rawValue ?? LockState.unknown.rawValue,
            door: snapshot?.door.rawValue ?? DoorState.unknown.rawValue,
            mode: snapshot?.mode.rawValue ?? LockMode.normal.rawValue,
            battery: .init(
                percent: Int((snapshot?.battery.percent ?? 0).rounded(.up)), voltageMillivolts: snapshot?.battery.voltageMillivolts,
                level: record.batteryLevel.rawValue, backupPower: snapshot?.battery.backupPower ?? false,
                daysLeft: record.forecast.daysLeft.map { ($0 * 10).rounded() / 10 }),
            connectivity: .init(
                wifi: radio?.wifi == false ? "down" : "up", ble: radio?.ble == false ? "down" : "up", wifiRSSI: radio?.wifiRSSI,
                bleRSSI: radio?.bleRSSI),
            lockoutUntil: snapshot?.lockoutUntil,
            access: AccessWay.allCases.map { way in
                let status = record.access[way]
                return .init(way: way.rawValue, usable: status.usable, reason: status.reason?.rawValue)
            },
            faults: record.activeFaults, lastAccess: snapshot?.lastAccess, lastSeen: record.lastSeen,
            firmware: snapshot?.firmware, updatedAt: record.updatedAt)
    }

    static func object(_ record: LockRecord) -> JSONObject { state(record).object }
}
