public import Foundation
public import JSON
public import LockCore

/// The retained device snapshot on `lockdev/<id>/state` (docs/device-link.md).
public enum DeviceSnapshot {
    /// - Parameters:
    ///   - lockTime: the lock's own clock (faster under `--time-scale`).
    ///   - wallTime: real time, for `at`.
    public static func object(_ lock: Lock, emulator: String, lockTime: Date, wallTime: Date) -> JSONObject {
        let ways = lock.waysIn(now: lockTime)
        var access = JSONObject()
        for way in AccessWay.allCases {
            let status = ways[way]
            var o: JSONObject = ["usable": .bool(status.usable)]
            if let reason = status.reason { o["reason"] = .string(reason.rawValue) }
            access[way.rawValue] = .object(o)
        }
        var o: JSONObject = [
            "v": .int(Int64(DeviceTopics.version)), "emulator": .string(emulator), "firmware": .string(lock.firmware),
            "epoch": .int(Int64(lock.epoch)), "seq": .int(Int64(lock.seq)),
            "lock": .string(lock.state.rawValue), "door": .string(lock.door.rawValue), "mode": .string(lock.mode.rawValue),
            "battery": .object([
                "percent": .double((lock.battery.percent * 100).rounded() / 100),
                "voltage_mv": .int(Int64(lock.battery.voltageMillivolts)),
                "backup_power": .bool(lock.battery.backupPower),
            ]),
            "radio": .object(["wifi": .bool(lock.wifiUp), "ble": .bool(lock.bleUp)]),
            "faults": .array(lock.activeFaults.sorted().map { .string($0.rawValue) }),
            "lockout_until": lock.lockoutUntil(now: lockTime).map { .string(RFC3339.format($0)) } ?? .null,
            "hung": .bool(lock.isHung),
            "access": .object(access),
            "credentials": .object(CredentialsPayload.object(lock.credentials)),
            "config": .object(ConfigPayload.object(lock.config)),
            "salt": .string(Hex.encode(lock.salt)),
            "lock_time": .string(RFC3339.format(lockTime)),
            "at": .string(RFC3339.format(wallTime)),
        ]
        if let last = lock.lastAccess {
            var event = EventPayload.access(last.event)
            event["at"] = .string(RFC3339.format(last.at))
            o["last_access"] = .object(event)
        } else {
            o["last_access"] = .null
        }
        return o
    }
}
