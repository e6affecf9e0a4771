import Foundation
import JSON
import LockAPI
import LockCore
import Logging

/// The bridge's state and rules, without I/O: device-link messages and public commands go in,
/// `BridgeOutput`s come out. One mutex around it serves the whole process; every per-message
/// step is a dictionary lookup, never a scan over all locks.
struct BridgeCore {
    let configuration: BridgeConfiguration
    let publicTopics: PublicTopics
    let deviceTopics: DeviceTopics
    let signer: DeviceSigner
    let logger: Logger
    var locks: [LockID: LockRecord] = [:]
    var counters = BridgeCounters()
    /// The replay counter for signed device commands: time-based, so it grows across restarts.
    var commandCounter: UInt64 = UInt64(Date().timeIntervalSince1970 * 1_000_000)
    /// When each unknown lock id last got a `not_found`, to rate-limit them.
    var notFoundAnswered: [LockID: Date] = [:]
    /// When code ages are next checked.
    var nextRotationCheck = Date.distantPast
    /// Emulator processes whose status is `offline` (their Last Will).
    var emulatorsOffline: Set<String> = []
    /// Locks changed since they were last saved.
    var dirty: Set<LockID> = []
    /// Locks removed on request: only a live report brings one back, never its retained snapshot.
    var removed: Set<LockID> = []

    init(configuration: BridgeConfiguration, signer: DeviceSigner, logger: Logger) {
        self.configuration = configuration
        self.signer = signer
        self.logger = logger
        publicTopics = PublicTopics(base: configuration.baseTopic)
        deviceTopics = DeviceTopics(prefix: configuration.deviceTopicPrefix)
        discovery = configuration.discovery
            ? Discovery(prefix: configuration.discoveryPrefix, topics: publicTopics, version: BridgeCore.version) : nil
    }

    static let version = "0.1.0"
    let discovery: Discovery?

    func accepts(_ id: LockID) -> Bool { configuration.allowList.isEmpty || configuration.allowList.contains(id.rawValue) }

    // MARK: device link

    /// A state snapshot. A retained one (from before we started) updates what we know but is no
    /// proof of life; a live one is.
    mutating func deviceState(_ id: LockID, payload: [UInt8], retained: Bool, now: Date) -> [BridgeOutput] {
        guard accepts(id) else { return [] }
        guard let snapshot = try? DeviceSnapshot(payload: payload) else {
            counters.badDeviceMessages += 1
            logger.info("unreadable device snapshot", metadata: ["lock.id": "\(id)"])
            return []
        }
        var out: [BridgeOutput] = []
        if removed.contains(id) {
            guard !retained else { return [] }
            removed.remove(id)
            out.append(.readmit(lock: id))
            logger.info("a removed lock reported again", metadata: ["lock.id": "\(id)"])
        }
        var record = locks[id] ?? LockRecord(id: id, now: now)
        let firstReport = record.snapshot == nil
        let previousCredentials = record.snapshot?.credentials
        do {
            let (epoch, seq) = (snapshot.epoch, snapshot.seq)
            if record.epoch == 0 {
                // First sight of this lock: its history before now is not ours to replay.
                record.epoch = epoch
                record.seq = seq
                record.knownSeq = seq
            } else if epoch == record.epoch && seq > record.knownSeq {
                // The lock is ahead of what we have seen (events lost at the tail, e.g. a crash).
                record.knownSeq = seq
                if record.behindSince == nil { record.behindSince = now }
            }
        }
        record.snapshot = snapshot
        record.updatedAt = now
        if !retained { record.lastSeen = now }
        let wifiUp = snapshot.radio.wifi
        // A retained snapshot is the lock's last word from before we started: it counts as a
        // report unless its emulator is known to be gone, and a heartbeat must follow in time.
        let emulatorGone = record.emulator.map { emulatorsOffline.contains($0) } ?? false
        if !wifiUp {
            setOnline(&record, false, firstReport: firstReport, now: now, into: &out)
        } else if !retained || !emulatorGone {
            record.lastHeartbeat = now
            setOnline(&record, true, firstReport: firstReport, now: now, into: &out)
        } else if firstReport {
            setOnline(&record, false, firstReport: true, now: now, into: &out)
        }
        let levelBefore = record.batteryLevel
        updateBattery(&record, snapshot, now: now, into: &out)
        // A new lock's level is news too, so a subscriber finds the current level retained.
        if firstReport && record.batteryLevel == levelBefore { out.append(batteryAlertMessage(record, now: now)) }
        updateLockoutRisk(&record, now: now, into: &out)
        updateRotation(&record, now: now, into: &out)
        if previousCredentials != snapshot.credentials {
            out.append(credentialsMessage(record, now: now))
        }
        out += discoveryMessages(&record)
        locks[id] = record
        out.append(stateMessage(record, now: now))
        return out
    }

    /// A heartbeat: the lock is alive.
    mutating func deviceHeartbeat(_ id: LockID, now: Date) -> [BridgeOutput] {
        guard var record = locks[id] else { return [] }
        var out: [BridgeOutput] = []
        record.lastHeartbeat = now
        record.lastSeen = now
        if record.wifiUp { setOnline(&record, true, now: now, into: &out) }
        locks[id] = record
        if !out.isEmpty { out.append(stateMessage(record, now: now)) }
        return out
    }

    /// A device event, published in `seq` order: early ones wait for the gap before them to fill
    /// (by reordering or a resend); duplicates are dropped.
    mutating func deviceEvent(_ id: LockID, payload: [UInt8], now: Date) -> [BridgeOutput] {
        guard var record = locks[id] else { return [] }
        guard var event = try? JSON.parseObject(payload), let category = event["category"]?.stringValue,
            ["access", "fault", "credential", "system"].contains(category),
            let seq = event["seq"]?.intValue, let epoch = event["epoch"]?.intValue
        else {
            counters.badDeviceMessages += 1
            logger.info("unreadable device event", metadata: ["lock.id": "\(id)"])
            return []
        }
        event["v"] = nil
        event["category"] = nil
        var out: [BridgeOutput] = []
        if epoch != record.epoch {
            guard (epoch, seq) > (record.epoch, record.seq) else {
                counters.duplicateEvents += 1
                return []
            }
            // A new epoch (factory reset, lost lock state): numbering starts again.
            record.epoch = epoch
            record.seq = seq - 1
            record.early = [:]
            record.knownSeq = seq
        }
        if seq <= record.seq || record.early[seq] != nil {
            counters.duplicateEvents += 1
            logger.debug("duplicate device event dropped", metadata: ["lock.id": "\(id)", "seq": "\(seq)"])
            return []
        }
        record.knownSeq = max(record.knownSeq, seq)
        record.early[seq] = DeviceEvent(category: category, payload: event)
        publishInOrder(&record, now: now, into: &out)
        locks[id] = record
        return out
    }

    /// Publishes the held events that are next in line, and notes whether a gap remains.
    mutating func publishInOrder(_ record: inout LockRecord, now: Date, into out: inout [BridgeOutput]) {
        while let next = record.early.removeValue(forKey: record.seq + 1) {
            record.seq += 1
            record.lastSeen = now
            out.append(.event(
                lock: record.id, category: next.category, topic: "\(publicTopics.base)/\(record.id.rawValue)/event/\(next.category)",
                payload: Self.bytes(next.payload), epoch: record.epoch, seq: record.seq))
            reactToEvent(&record, next.payload, category: next.category, now: now, into: &out)
        }
        if record.seq >= record.knownSeq {
            record.behindSince = nil
            record.resendRequested = nil
        } else if record.behindSince == nil {
            record.behindSince = now
        }
    }

    /// Gaps that reordering did not fill: ask for a resend; if that did not fill them either,
    /// the events are gone, so count them, say so and go on.
    mutating func chaseGaps(_ record: inout LockRecord, now: Date, into out: inout [BridgeOutput]) {
        guard let since = record.behindSince, now.timeIntervalSince(since) >= 0.3 else { return }
        if let asked = record.resendRequested {
            guard now.timeIntervalSince(asked) >= 5 else { return }
            let next = record.early.keys.min() ?? record.knownSeq + 1
            counters.sequenceGaps += 1
            logger.info("events lost for good", metadata: ["lock.id": "\(record.id)", "from_seq": "\(record.seq + 1)", "to_seq": "\(next - 1)"])
            record.seq = next - 1
            record.resendRequested = nil
            record.behindSince = nil
            publishInOrder(&record, now: now, into: &out)
        } else if let resend = askForResend(&record, now: now) {
            out.append(resend)
        }
    }

    /// An emulator's status; its Last Will takes every one of its locks offline at once.
    mutating func emulatorStatus(_ instance: String, online: Bool, now: Date) -> [BridgeOutput] {
        if online {
            emulatorsOffline.remove(instance)
            return []
        }
        emulatorsOffline.insert(instance)
        var out: [BridgeOutput] = []
        for (id, var record) in locks where record.emulator == instance && record.online {
            setOnline(&record, false, now: now, into: &out)
            locks[id] = record
            out.append(stateMessage(record, now: now))
        }
        return out
    }

    // MARK: time

    /// Heartbeat timeouts, command timeouts and timed fault clears.
    mutating func tick(now: Date) -> [BridgeOutput] {
        var out: [BridgeOutput] = []
        defer {
            // Code ages are checked every few seconds, not every tick: 10,000 locks × codes.
            if now >= nextRotationCheck { nextRotationCheck = now.addingTimeInterval(min(60, max(1, configuration.codeRotationDays * 86_400 / 10))) }
        }
        for (id, var record) in locks {
            var changed = false
            if record.online, let beat = record.lastHeartbeat, now.timeIntervalSince(beat) > configuration.offlineAfter {
                setOnline(&record, false, now: now, into: &out)
                changed = true
            }
            if let pending = record.pending, now >= pending.deadline {
                out += timeOut(&record, pending, now: now)
                changed = true
            }
            if record.behindSince != nil {
                let before = out.count
                chaseGaps(&record, now: now, into: &out)
                if out.count != before { locks[id] = record }
            }
            if now >= nextRotationCheck {
                let before = out.count
                updateRotation(&record, now: now, into: &out)
                if out.count != before { changed = true }
            }
            if let raised = record.bridgeFaults[.overrideUsed], now.timeIntervalSince(raised) >= 24 * 3600 {
                clearFault(&record, .overrideUsed, now: now, into: &out)
                changed = true
            }
            if changed {
                locks[id] = record
                out.append(stateMessage(record, now: now))
            }
        }
        return out
    }

    /// Every retained topic of every lock, for a (re)connect or a restart.
    func retainedState(now: Date) -> [BridgeOutput] {
        var head: [BridgeOutput] = []
        if let discovery {
            let (component, object, config) = discovery.bridgeConfig()
            head.append(.publish(topic: discovery.topic(component, discovery.bridgeNode, object), payload: Self.bytes(config), retain: true))
        }
        return head + locks.values.sorted { $0.id < $1.id }.flatMap { record -> [BridgeOutput] in
            var out: [BridgeOutput] = [availabilityMessage(record)]
            var copy = record
            copy.discoveryKey = nil
            out += discoveryMessages(&copy)
            guard record.snapshot != nil else { return out }
            out.append(stateMessage(record, now: now))
            out.append(credentialsMessage(record, now: now))
            out.append(batteryAlertMessage(record, now: now))
            return out
        }
    }

    /// A resend request from the first missing event.
    mutating func askForResend(_ record: inout LockRecord, now: Date) -> BridgeOutput? {
        record.resendRequested = now
        commandCounter = max(commandCounter + 1, UInt64(now.timeIntervalSince1970 * 1_000_000))
        let request = ResendRequest(counter: commandCounter, epoch: record.epoch, fromSeq: record.seq + 1)
        guard let payload = try? request.payload() else { return nil }
        logger.info("asking a lock to resend missed events", metadata: ["lock.id": "\(record.id)", "from_seq": "\(record.seq + 1)"])
        return .resend(lock: record.id, payload: payload, mac: signer.mac(lock: record.id, payload: payload))
    }

    static func bytes(_ o: JSONObject) -> [UInt8] {
        (try? o.serializedBytes()) ?? Array(#"{"error":"unserializable"}"#.utf8)
    }
}

/// Counts the `health` request reports.
struct BridgeCounters: Sendable {
    var commands = 0
    var rejectedCommands = 0
    var invalidLockIDs = 0
    var badDeviceMessages = 0
    var duplicateEvents = 0
    var sequenceGaps = 0
    var timeouts = 0
}
