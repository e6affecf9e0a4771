import Foundation
import JSON
import LockAPI
import LockCore
import Logging

/// The device link (docs/device-link.md): snapshots, heartbeats, events in `seq` order with
/// resends for gaps, and emulator Last Wills.
extension BridgeMachine {
    /// Runs `body` on the lock's context and stores the record back; nil when the lock is unknown.
    mutating func withLock(_ id: LockID, now: Date, _ body: (inout LockContext) -> Void) -> [BridgeEffect]? {
        guard let record = locks[id] else { return nil }
        var context = LockContext(record, now: now, settings: settings, discoveryHeld: !leftovers.complete)
        body(&context)
        locks[id] = context.record
        return context.effects
    }

    /// A state snapshot. A retained one (from before we started) updates what we know but is no
    /// proof of life; a live one is.
    mutating func deviceState(_ id: LockID, payload: [UInt8], retained: Bool, now: Date) -> [BridgeEffect] {
        guard accepts(id) else { return [] }
        let snapshot: DeviceSnapshot
        do {
            snapshot = try DeviceSnapshot(payload: payload)
        } catch {
            counters.badDeviceMessages += 1
            logger.info("unreadable device snapshot", metadata: ["lock.id": "\(id)", "error": "\(error)"])
            return []
        }
        var out: [BridgeEffect] = []
        if removed.contains(id) {
            guard !retained else { return [] }
            removed.remove(id)
            out.append(.readmit(id))
            logger.info("a removed lock reported again", metadata: ["lock.id": "\(id)"])
        }
        if locks[id] == nil {
            var record = LockRecord(id: id, now: now)
            record.bridgeSeq = bridgeSeqFloor.removeValue(forKey: id) ?? 0
            locks[id] = record
            infoDue = true
        }
        let emulatorGone = snapshot.emulator.map { emulatorsOffline.contains($0) } ?? false
        dirty.insert(id)
        let (credentialsBefore, onlineBefore) = (locks[id]?.snapshot?.credentials, locks[id]?.online)
        out += withLock(id, now: now) { context in
            let previous = context.record.snapshot
            let firstReport = previous == nil
            var record = context.record
            if record.epoch == 0 {
                // First sight of this lock: its history before now is not ours to replay.
                (record.epoch, record.seq, record.knownSeq) = (snapshot.epoch, snapshot.seq, snapshot.seq)
            } else if snapshot.epoch == record.epoch && snapshot.seq > record.knownSeq {
                // The lock is ahead of what we have seen (events lost at the tail, e.g. a crash).
                record.knownSeq = snapshot.seq
                if record.behindSince == nil { record.behindSince = now }
            }
            record.snapshot = snapshot
            // A lock that has power again after losing its clock is told the time at once, even
            // if the last attempt (to the dead lock) was a moment ago.
            if !retained, !snapshot.clockSet, previous.map({ $0.clockSet || !$0.battery.powered }) ?? true { record.clockSentAt = nil }
            record.updatedAt = now
            if !retained { record.lastSeen = now }
            context.record = record
            // A retained snapshot is the lock's last word from before we started: it counts as a
            // report unless its emulator is known to be gone, and a heartbeat must follow in time.
            if !snapshot.radio.wifi {
                context.setOnline(false, firstReport: firstReport)
            } else if !retained || !emulatorGone {
                context.record.lastHeartbeat = now
                context.setOnline(true, firstReport: firstReport)
            } else if firstReport {
                context.setOnline(false, firstReport: true)
            }
            for feature in Features.all { feature.snapshotStored(&context, previous: previous) }
            context.publishState()
        }!
        // A plan's slots may have changed behind its back, or the lock came back for its plan.
        if credentialsBefore != snapshot.credentials || onlineBefore != locks[id]?.online {
            planLockChanged(id)
            out += planWork(now: now)
        }
        return out
    }

    /// A heartbeat: the lock is alive.
    mutating func deviceHeartbeat(_ id: LockID, now: Date) -> [BridgeEffect] {
        withLock(id, now: now) { context in
            context.record.lastHeartbeat = now
            context.record.lastSeen = now
            guard context.record.wifiUp else { return }
            context.setOnline(true)
            if !context.effects.isEmpty { context.publishState() }
        } ?? []
    }

    /// A device event, published in `seq` order: early ones wait for the gap before them to fill
    /// (by reordering or a resend); duplicates are dropped.
    mutating func deviceEvent(_ id: LockID, payload: [UInt8], now: Date) -> [BridgeEffect] {
        guard locks[id] != nil else { return [] }
        guard var event = try? JSON.parseObject(payload), let category = event["category"]?.stringValue,
            ["access", "fault", "credential", "system", "alert"].contains(category),
            let seq = event["seq"]?.intValue, let epoch = event["epoch"]?.intValue,
            // Only what a client can read goes out (found by the device fuzz target: an event
            // without `event_type` was published as it came).
            (try? PublicEvent(object: event)) != nil
        else {
            counters.badDeviceMessages += 1
            logger.info("unreadable device event", metadata: ["lock.id": "\(id)"])
            return []
        }
        event["v"] = nil
        event["category"] = nil
        var duplicate = false
        let out = withLock(id, now: now) { context in
            if epoch != context.record.epoch {
                guard (epoch, seq) > (context.record.epoch, context.record.seq) else {
                    duplicate = true
                    return
                }
                // A new epoch (factory reset, lost lock state): numbering starts again.
                context.record.epoch = epoch
                context.record.seq = seq - 1
                context.record.early = [:]
                context.record.knownSeq = seq
            }
            if seq <= context.record.seq || context.record.early[seq] != nil {
                duplicate = true
                return
            }
            context.record.knownSeq = max(context.record.knownSeq, seq)
            context.record.early[seq] = DeviceEvent(category: category, payload: event)
            Self.publishInOrder(&context)
        } ?? []
        if duplicate {
            counters.duplicateEvents += 1
            logger.debug("duplicate device event dropped", metadata: ["lock.id": "\(id)", "seq": "\(seq)"])
        } else {
            dirty.insert(id)
        }
        return out
    }

    /// Whether an event that the lock did not mark `delayed` reaches the bridge more than 30 s
    /// after it happened (spec 3.2), such as one that waited in the broker while the bridge was
    /// down. Its `at` is on the lock's clock; the lock's last snapshot says how that clock stands
    /// to the wall clock. A lock clock that runs fast (the emulator's --time-scale) puts the
    /// event in the future, so it is never marked by mistake.
    static func isLate(_ event: JSONObject, _ context: LockContext) -> Bool {
        guard event["delayed"]?.boolValue != true, let at = event["at"]?.stringValue.flatMap(RFC3339.parse) else { return false }
        let snapshot = context.record.snapshot
        let offset = snapshot.flatMap { s in s.at.flatMap { wall in s.lockTime.map { wall.timeIntervalSince($0) } } } ?? 0
        return context.now.timeIntervalSince(at.addingTimeInterval(offset)) > EventPayload.lateAfter
    }

    /// An event as it is published and kept in the history. A silent alarm (the duress alert,
    /// spec 7.1) goes to `alert/<kind>` as `{"slot", "at", "seq"}` and nowhere else.
    static func audited(_ event: DeviceEvent, lock id: LockID, _ context: LockContext) -> AuditedEvent {
        let base = "\(context.settings.publicTopics.base)/\(id.rawValue)"
        var topic = "\(base)/event/\(event.category)", payload = event.payload
        if event.category == "alert", let kind = payload["event_type"]?.stringValue {
            topic = "\(base)/alert/\(kind)"
            var alert: JSONObject = ["slot": payload["slot"] ?? .null, "at": payload["at"] ?? .null, "seq": payload["seq"] ?? .null]
            if payload["delayed"]?.boolValue == true { alert["delayed"] = true }
            if payload["acknowledged"]?.boolValue == true { alert["acknowledged"] = true }
            payload = alert
        }
        return AuditedEvent(
            lock: id, category: event.category, topic: topic, payload: bytes(payload), epoch: context.record.epoch, seq: context.record.seq,
            at: context.now)
    }

    /// Publishes the held events that are next in line, and notes whether a gap remains.
    static func publishInOrder(_ context: inout LockContext) {
        while var next = context.record.early.removeValue(forKey: context.record.seq + 1) {
            context.record.seq += 1
            context.record.lastSeen = context.now
            let id = context.record.id
            if isLate(next.payload, context) { next.payload["delayed"] = true }
            context.effects.append(.event(Self.audited(next, lock: id, context)))
            for feature in Features.all { feature.eventPublished(&context, next) }
        }
        if context.record.seq >= context.record.knownSeq {
            context.record.behindSince = nil
            context.record.resendRequested = nil
        } else if context.record.behindSince == nil {
            context.record.behindSince = context.now
        }
    }

    /// Gaps that reordering did not fill: ask for a resend; if that did not fill them either,
    /// the events are gone, so count them, say so and go on.
    mutating func chaseGaps(_ context: inout LockContext) {
        let now = context.now
        guard let since = context.record.behindSince, now.timeIntervalSince(since) >= Self.resendAfter else { return }
        guard let asked = context.record.resendRequested else {
            askForResend(&context)
            return
        }
        guard now.timeIntervalSince(asked) >= Self.giveUpAfter else { return }
        let next = context.record.early.keys.min() ?? context.record.knownSeq + 1
        if next > context.record.seq + 1 {
            counters.sequenceGaps += 1
            logger.info(
                "events lost for good", metadata: ["lock.id": "\(context.record.id)", "from_seq": "\(context.record.seq + 1)", "to_seq": "\(next - 1)"])
            context.record.seq = next - 1
        }
        context.record.resendRequested = nil
        context.record.behindSince = nil
        Self.publishInOrder(&context)
    }

    /// How long a gap may stay before the bridge asks for a resend, and how long it waits for one.
    static let resendAfter: TimeInterval = 0.3
    static let giveUpAfter: TimeInterval = 5

    /// A signed resend request from the first missing event.
    mutating func askForResend(_ context: inout LockContext) {
        context.record.resendRequested = context.now
        let request = ResendRequest(
            counter: nextCounter(context.now), epoch: context.record.epoch, fromSeq: context.record.seq + 1, ownerEpoch: ownerEpoch(context.record.id))
        guard let payload = try? request.payload() else { return }
        logger.info("asking a lock to resend missed events", metadata: ["lock.id": "\(context.record.id)", "from_seq": "\(context.record.seq + 1)"])
        context.publish(signed(context.record.id, .resend, payload))
    }

    /// The next replay counter for a signed device message.
    mutating func nextCounter(_ now: Date) -> UInt64 {
        commandCounter = max(commandCounter + 1, UInt64(max(0, now.timeIntervalSince1970) * 1_000_000))
        return commandCounter
    }

    func signed(_ id: LockID, _ channel: DeviceTopics.Channel, _ payload: [UInt8]) -> Publication {
        Publication(topic: settings.deviceTopics.lock(id, channel), payload: payload, signature: settings.signer.mac(lock: id, payload: payload))
    }

    /// An emulator's status; its Last Will takes every one of its locks offline at once.
    mutating func emulatorStatus(_ instance: String, online: Bool, now: Date) -> [BridgeEffect] {
        guard !online else {
            emulatorsOffline.remove(instance)
            return []
        }
        emulatorsOffline.insert(instance)
        var out: [BridgeEffect] = []
        for id in locks.keys.sorted() where locks[id]!.emulator == instance && locks[id]!.online {
            out += withLock(id, now: now) { context in
                context.setOnline(false)
                context.publishState()
            } ?? []
        }
        return out
    }
}
