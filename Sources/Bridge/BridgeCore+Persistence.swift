import Foundation
import JSON
import LockAPI
import LockCore
import Logging

/// What the bridge keeps of each lock across restarts, so it can republish before any new
/// device data arrives, and tell gaps and duplicates after a restart too.
extension BridgeCore {
    /// Static, so the service can serialize outside the core's mutex.
    static func savedState(_ record: LockRecord) -> [UInt8] {
        var faults = JSONObject()
        for (fault, at) in record.bridgeFaults.sorted(by: { $0.key < $1.key }) { faults[fault.rawValue] = .string(RFC3339.format(at)) }
        let o: JSONObject = [
            "snapshot": record.snapshot.map { .object($0.object) } ?? .null,
            "epoch": .int(record.epoch), "seq": .int(record.seq),
            "battery_level": .string(record.batteryLevel.rawValue),
            "battery_level_since": record.batteryLevelSince.map { .string(RFC3339.format($0)) } ?? .null,
            "bridge_faults": .object(faults),
            "last_seen": record.lastSeen.map { .string(RFC3339.format($0)) } ?? .null,
            "rotation_due": .array(record.rotationDue.sorted().map { .int(Int64($0)) }),
        ]
        return Self.bytes(o)
    }

    /// Loads saved locks; all start offline until they report (spec 3: availability).
    /// `sequences` is the exact last seq of every lock, written with each event; it wins over
    /// the periodically saved state, and restores a lock that was never saved at all.
    mutating func restore(from saved: [String: [UInt8]], sequences: [String: (epoch: Int64, seq: Int64)], now: Date, logger: Logger) {
        defer {
            for (text, last) in sequences {
                guard let id = LockID(text), accepts(id) else { continue }
                var record = locks[id] ?? LockRecord(id: id, now: now)
                if (last.epoch, last.seq) > (record.epoch, record.seq) {
                    record.epoch = last.epoch
                    record.seq = last.seq
                    record.knownSeq = last.seq
                }
                locks[id] = record
            }
        }
        for (text, bytes) in saved {
            guard let id = LockID(text), accepts(id), let o = try? JSON.parseObject(bytes, limits: DeviceSnapshot.limits) else {
                logger.info("ignoring unreadable saved lock state", metadata: ["lock.id": "\(text)"])
                continue
            }
            var record = LockRecord(id: id, now: now)
            record.snapshot = o["snapshot"]?.objectValue.flatMap { try? DeviceSnapshot(json: $0) }
            record.epoch = o["epoch"]?.intValue ?? 0
            record.seq = o["seq"]?.intValue ?? 0
            record.batteryLevel = o["battery_level"]?.stringValue.flatMap(BatteryLevel.init(rawValue:)) ?? .ok
            record.batteryLevelSince = o["battery_level_since"]?.stringValue.flatMap(RFC3339.parse)
            record.lastSeen = o["last_seen"]?.stringValue.flatMap(RFC3339.parse)
            record.rotationDue = Set(o["rotation_due"]?.arrayValue?.compactMap { $0.intValue.map(Int.init) } ?? [])
            for (key, value) in o["bridge_faults"]?.objectValue ?? [:] {
                if let fault = FaultCode(rawValue: key), let at = value.stringValue.flatMap(RFC3339.parse) { record.bridgeFaults[fault] = at }
            }
            locks[id] = record
        }
    }
}
