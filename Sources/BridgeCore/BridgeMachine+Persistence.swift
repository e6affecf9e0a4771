import Foundation
import JSON
import LockAPI
import LockCore
import Logging

/// What the bridge keeps of each lock across restarts, so it can republish before any new
/// device data arrives, and tell gaps and duplicates after a restart too.
extension BridgeMachine {
    /// The locks changed since the last save (or all of them), as their saved JSON.
    mutating func savedLocks(all: Bool) -> [SavedLock] {
        // Several bridges: each saves the locks it owns.
        let ids = (all ? locks.keys.sorted() : dirty.sorted()).filter { acts(for: $0) }
        dirty = []
        return ids.compactMap { id in locks[id].map { SavedLock(lock: id, state: Self.savedState($0)) } }
    }

    static func savedState(_ record: LockRecord) -> [UInt8] {
        var faults = JSONObject()
        for (fault, at) in record.bridgeFaults.sorted(by: { $0.key < $1.key }) { faults[fault.rawValue] = .time(at) }
        let o: JSONObject = [
            "snapshot": record.snapshot.map { .object($0.object) } ?? .null,
            "epoch": .int(record.epoch), "seq": .int(record.seq),
            "battery_level": .string(record.batteryLevel.rawValue),
            "battery_level_since": .time(record.batteryLevelSince),
            "bridge_faults": .object(faults),
            "last_seen": .time(record.lastSeen),
            "rotation_due": .array(record.rotationDue.sorted().map { .int(Int64($0)) }),
            "forecast": .object(forecastObject(record.forecast)),
        ]
        return bytes(o)
    }

    /// Loads saved locks; all start offline until they report (spec 3: availability). The exact
    /// last seq of every lock, written with each event, wins over the periodically saved state,
    /// and restores a lock that was never saved at all.
    mutating func restore(_ stored: StoredState, now: Date) {
        for (text, bytes) in stored.locks {
            guard let id = LockID(text) else { continue }
            guard accepts(id) else {
                outsideAllowList.append(id)
                continue
            }
            guard let o = try? JSON.parseObject(bytes, limits: DeviceSnapshot.limits) else {
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
            if let forecast = o["forecast"]?.objectValue { record.forecast = Self.forecast(forecast) }
            for (key, value) in o["bridge_faults"]?.objectValue ?? [:] {
                if let fault = FaultCode(rawValue: key), let at = value.stringValue.flatMap(RFC3339.parse) { record.bridgeFaults[fault] = at }
            }
            locks[id] = record
        }
        for (text, last) in stored.sequences {
            guard let id = LockID(text) else { continue }
            guard accepts(id) else {
                if !outsideAllowList.contains(id) { outsideAllowList.append(id) }
                continue
            }
            var record = locks[id] ?? LockRecord(id: id, now: now)
            if (last.epoch, last.seq) > (record.epoch, record.seq) {
                (record.epoch, record.seq, record.knownSeq) = (last.epoch, last.seq, last.seq)
            }
            locks[id] = record
        }
        for (text, seq) in stored.bridgeSequences {
            guard let id = LockID(text) else { continue }
            if locks[id] != nil { locks[id]!.bridgeSeq = max(locks[id]!.bridgeSeq, seq) } else { bridgeSeqFloor[id] = seq }
        }
        outsideAllowList.sort()
    }

    /// Forgets a lock: empty retained payloads clear its public topics and its Home Assistant
    /// entities, and the store marks it removed. Only a live report brings it back.
    mutating func removeLock(_ id: LockID) -> [BridgeEffect] {
        if let seq = locks[id]?.bridgeSeq, seq > 0 { bridgeSeqFloor[id] = seq }
        locks[id] = nil
        dirty.remove(id)
        removed.insert(id)
        infoDue = true
        logger.info("lock removed", metadata: ["lock.id": "\(id)"])
        let retainedTopics: [PublicTopics.LockTopic] = [.state, .availability, .batteryAlert, .credentials]
        // The configs' clears go the way the configs went, paced, so none can overtake a config
        // still waiting there and leave the entity behind.
        let clears = settings.discovery?.removals(id) ?? []
        return [.forget(id)] + retainedTopics.map { .publish(Publication(topic: publicTopics.lock(id, $0), payload: [], retain: true)) }
            + (clears.isEmpty ? [] : [.publishPaced(clears.map(PacedPublication.message))])
    }
}

/// The battery forecast's samples and lock-time clock, so `days_left` survives a restart (spec 3.1).
extension BridgeMachine {
    static func forecastObject(_ forecast: DrainForecast) -> JSONObject {
        [
            "samples": .array(forecast.samples.map { .array([.double($0.lockTime), .double($0.percent)]) }),
            "lock_time": .double(forecast.lockTime), "last_reading": .time(forecast.lastWallClock),
            "last_on_backup": .bool(forecast.lastOnBackup),
        ]
    }

    /// A saved forecast; samples that are not two numbers are skipped.
    static func forecast(_ o: JSONObject) -> DrainForecast {
        let samples = (o["samples"]?.arrayValue ?? []).compactMap { value -> DrainForecast.Sample? in
            guard let pair = value.arrayValue, pair.count == 2, let t = pair[0].doubleValue, let p = pair[1].doubleValue else { return nil }
            return DrainForecast.Sample(lockTime: t, percent: p)
        }
        return DrainForecast(
            samples: samples, lockTime: o["lock_time"]?.doubleValue ?? samples.last?.lockTime ?? 0,
            lastWallClock: o["last_reading"]?.stringValue.flatMap(RFC3339.parse), lastOnBackup: o["last_on_backup"]?.boolValue ?? false)
    }
}
