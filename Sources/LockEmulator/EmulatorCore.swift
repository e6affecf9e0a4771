import Foundation
import JSON
import LockAPI
import LockCore
import Logging
import MQTT

/// Every emulated lock and the device-link rules around them. No I/O: it returns the messages
/// to publish, so one mutex around it serves the whole process and tests can drive it directly.
struct EmulatorCore {
    let topics: DeviceTopics
    let instance: String
    let signer: DeviceSigner
    /// Opens the codes in commands (device link v2); derived once from the device key.
    let codeSeal: CodeSeal
    let logger: Logger
    private(set) var locks: [LockID: EmulatedLock]
    /// Lock order for spreading heartbeats over the interval.
    let order: [LockID]
    /// Locks changed since the last save.
    private(set) var dirty: Set<LockID> = []
    /// The access attempt of the last input applied, if it made one (for `sim/result`).
    private var lastAttempt: AccessEvent?
    /// Commands refused for a bad MAC, a replay or the retain flag.
    private(set) var refusedCommands = 0
    /// Commands and resend requests from an older owner than the one a lock holds (spec 8).
    private(set) var staleOwnerDrops = 0
    /// Locks to save before anything they said goes out: a `one_time` code was used up, the
    /// wrong-code counter or lockout moved, or a new owner epoch was accepted.
    private(set) var urgent: Set<LockID> = []
    let started = Date()

    init(locks: [LockID: EmulatedLock], topics: DeviceTopics, instance: String, signer: DeviceSigner, logger: Logger) {
        self.locks = locks
        self.order = locks.keys.sorted()
        self.topics = topics
        self.instance = instance
        self.signer = signer
        codeSeal = signer.codeSeal
        self.logger = logger
    }

    /// Every reachable lock's snapshot, for start-up and after a reconnect.
    func snapshots(lockTime: Date, wall: Date) -> [Outgoing] {
        order.compactMap { id in
            guard let entry = locks[id], entry.reachable else { return nil }
            return snapshot(id, entry, lockTime: lockTime, wall: wall)
        }
    }

    /// A command from the bridge. Dropped (and logged) unless signed, fresh and not retained.
    mutating func command(
        _ id: LockID, payload: [UInt8], mac: String?, retained: Bool, lockTime: Date, wall: Date
    ) -> [Outgoing] {
        guard let entry = locks[id] else { return [] }
        guard !retained else { return refuse(id, "a retained command") }
        guard let mac, signer.verify(lock: id, payload: payload, mac: mac) else { return refuse(id, "a bad or missing MAC") }
        let command: DeviceCommand
        do {
            command = try DeviceCommand.parse(payload, lock: id, seal: codeSeal, hash: entry.lock.hash(code:))
        } catch {
            return refuse(id, "an unreadable command (\(error.message))")
        }
        let heldEpoch = entry.fence.epoch
        switch locks[id]!.fence.admit(epoch: command.ownerEpoch, counter: command.counter) {
        case .replay: return refuse(id, "a replayed counter")
        case .staleOwner(let held):
            let result = CommandResult(
                requestID: command.requestID, command: command.command.name,
                error: LockError(.staleOwner, "owner epoch \(command.ownerEpoch) is older than the \(held) this lock holds"))
            let ack = (try? DeviceAck.payload(result, ownerEpoch: held)).map { Outgoing(topic: topics.lock(id, .ack), payload: $0) }
            return staleOwner(id, command.ownerEpoch, held: held) + (entry.reachable ? ack.map { [$0] } ?? [] : [])
        case .accepted: break
        }
        admitted(id, heldEpoch: heldEpoch)
        // A lock without power or Wi-Fi hears nothing; the bridge's timeout answers for it.
        guard entry.reachable else { return [] }
        // A liveness probe is only acknowledged: no snapshot unless something changed with it.
        return apply(id, command.input, lockTime: lockTime, wall: wall, snapshotOnlyIfChanged: command.command == .ping)
    }

    /// A request passed the fence. A new owner epoch is saved before the lock answers: after a
    /// `kill -9` the lock must still refuse the owner before it (the counter may lag a second).
    private mutating func admitted(_ id: LockID, heldEpoch: UInt64) {
        markDirty(id)
        if locks[id]?.fence.epoch != heldEpoch { urgent.insert(id) }
    }

    /// Counted and logged; the caller adds the `stale_owner` ack for a command.
    private mutating func staleOwner(_ id: LockID, _ epoch: UInt64, held: UInt64) -> [Outgoing] {
        staleOwnerDrops += 1
        logger.notice("dropped a request from a stale owner", metadata: ["lock.id": "\(id)", "owner_epoch": "\(epoch)", "held_epoch": "\(held)"])
        return []
    }

    private mutating func refuse(_ id: LockID, _ why: String) -> [Outgoing] {
        refusedCommands += 1
        logger.info("command dropped", metadata: ["lock.id": "\(id)", "reason": "\(why)"])
        return []
    }

    /// The bridge missed events: send the ones it names again (as far as they are still kept).
    mutating func resend(_ id: LockID, payload: [UInt8], mac: String?, retained: Bool, lockTime: Date, wall: Date) -> [Outgoing] {
        guard let entry = locks[id] else { return [] }
        guard !retained else { return refuse(id, "a retained resend request") }
        guard let mac, signer.verify(lock: id, payload: payload, mac: mac) else { return refuse(id, "a resend request with a bad or missing MAC") }
        guard let request = try? ResendRequest.parse(payload) else { return refuse(id, "an unreadable resend request") }
        let heldEpoch = entry.fence.epoch
        switch locks[id]!.fence.admit(epoch: request.ownerEpoch, counter: request.counter) {
        case .replay: return refuse(id, "a replayed resend request")
        case .staleOwner(let held): return staleOwner(id, request.ownerEpoch, held: held)
        case .accepted: break
        }
        admitted(id, heldEpoch: heldEpoch)
        guard entry.reachable else { return [] }
        let events = entry.recent.filter { Int64($0.epoch) == request.epoch && Int64($0.seq) >= request.fromSeq }
        logger.debug("resending events", metadata: ["lock.id": "\(id)", "from_seq": "\(request.fromSeq)", "count": "\(events.count)"])
        return events.map { eventMessage(id, $0, delayed: true) } + [snapshot(id, entry, lockTime: lockTime, wall: wall)]
    }

    /// A physical-world action from `sim`; the reply goes to `sim/result`.
    mutating func sim(_ id: LockID, payload: [UInt8], lockTime: Date, wall: Date) -> [Outgoing] {
        guard locks[id] != nil else { return [] }
        let reply = topics.lock(id, .simResult)
        do {
            let (action, input) = try SimAction.parse(payload)
            // `clock` sets this lock's clock, which runs on from there (spec 6).
            if case .clock(let at) = input {
                locks[id]!.clockOffset = at.timeIntervalSince(lockTime)
                locks[id]!.lastUsable = nil
                markDirty(id)
            }
            var out = apply(id, input.lockInput, lockTime: lockTime, wall: wall, forceSnapshot: input.isClock)
            var result: JSONObject = ["status": "ok", "action": .string(action)]
            // What the lock did with an attempt to get in, also while it is cut off (then its
            // event waits): so a test can try a way in and see the answer whatever the link.
            if let attempt = lastAttempt { result["access"] = .object(EventPayload.access(attempt)) }
            out.append(Outgoing(topic: reply, payload: Self.bytes(result)))
            return out
        } catch {
            var problem: JSONObject = ["code": .string(error.code), "message": .string(error.message)]
            if let field = error.field { problem["field"] = .string(field) }
            return [Outgoing(topic: reply, payload: Self.bytes(["status": "error", "error": .object(problem)]))]
        }
    }

    /// Time passes for every lock.
    mutating func tick(lockTime: Date, wall: Date) -> [Outgoing] {
        var out: [Outgoing] = []
        for id in order { out += apply(id, .tick, lockTime: lockTime, wall: wall, quietUnlessChanged: true) }
        return out
    }

    /// Heartbeats of the locks whose turn it is in this `slot` of `slots` (one slot per tick).
    func heartbeats(slot: Int, slots: Int, wall: Date) -> [Outgoing] {
        guard slots > 0 else { return [] }
        let uptime = Int(wall.timeIntervalSince(started))
        let payload = Self.bytes(["v": .int(Int64(DeviceTopics.version)), "at": .string(RFC3339.format(wall)), "uptime_s": .int(Int64(uptime))])
        var out: [Outgoing] = []
        var index = slot % slots
        while index < order.count {
            let id = order[index]
            if let entry = locks[id], entry.reachable {
                out.append(Outgoing(topic: topics.lock(id, .heartbeat), payload: payload, qos: .atMostOnce))
            }
            index += slots
        }
        return out
    }

    /// A lock changed: it is due to be saved, and its state is one generation newer.
    private mutating func markDirty(_ id: LockID) {
        dirty.insert(id)
        locks[id]?.generation += 1
    }

    /// Hands over the locks that must be saved before their messages go out.
    mutating func takeUrgent() -> [(LockID, EmulatedLock)] {
        defer { urgent = [] }
        return urgent.compactMap { id in locks[id].map { (id, $0) } }
    }

    /// Hands over the changed locks for saving.
    mutating func takeDirty() -> [(LockID, EmulatedLock)] {
        defer { dirty = [] }
        return dirty.compactMap { id in locks[id].map { (id, $0) } }
    }

    /// Feeds one input to one lock and turns what it says into device-link messages:
    /// events, then the snapshot, then command acks, so the bridge has the new state first.
    private mutating func apply(
        _ id: LockID, _ input: LockInput, lockTime: Date, wall: Date, quietUnlessChanged: Bool = false,
        snapshotOnlyIfChanged: Bool = false, forceSnapshot: Bool = false
    ) -> [Outgoing] {
        guard var entry = locks[id] else { return [] }
        let wasReachable = entry.reachable
        let percentBefore = entry.lock.battery.reportedPercent
        let now = entry.time(lockTime)
        let lockoutBefore = entry.lock.lockout
        let outputs = entry.lock.handle(input, now: now)
        // On disk before anyone hears of it: a used-up one-time code, and the wrong-code counter
        // and lockout (pulling the battery must not buy a burglar more guesses).
        let usedUp = outputs.contains { if case .event(let e) = $0, case .credential(let c) = e.body { c.eventType == .codeUsedUp } else { false } }
        if usedUp || entry.lock.lockout != lockoutBefore { urgent.insert(id) }
        // A window that opened or closed changes `access` and `usable_now` with nothing else happening.
        let usable = entry.lock.credentials.dependsOnTime ? entry.lock.credentials.usability(at: entry.lock.time(now)) : nil
        let windowsMoved = usable != nil && usable != entry.lastUsable
        lastAttempt = outputs.lazy.compactMap { output -> AccessEvent? in
            guard case .event(let event) = output, case .access(let access) = event.body else { return nil }
            return access
        }.first
        let reachable = entry.reachable
        let changed = !outputs.isEmpty || entry.lock.battery.reportedPercent != percentBefore || windowsMoved || forceSnapshot
        if quietUnlessChanged && !changed && wasReachable == reachable { return [] }

        var out: [Outgoing] = []
        if reachable && !wasReachable {
            for event in entry.held {
                out.append(eventMessage(id, event, delayed: true))
                entry.remember(event)
            }
            entry.held = []
        }
        var acks: [Outgoing] = []
        for output in outputs {
            switch output {
            case .event(let event):
                // The input that cuts the lock off is still reported (its "last gasp").
                if wasReachable || reachable {
                    out.append(eventMessage(id, event, delayed: false))
                    entry.remember(event)
                } else {
                    entry.held.append(event)
                }
            case .result(let result):
                if wasReachable, let payload = try? DeviceAck.payload(result) {
                    acks.append(Outgoing(topic: topics.lock(id, .ack), payload: payload))
                }
            }
        }
        let eventful = outputs.contains { if case .event = $0 { true } else { false } }
        if (wasReachable || reachable) && (!snapshotOnlyIfChanged || eventful || wasReachable != reachable || windowsMoved) {
            out.append(snapshot(id, entry, lockTime: lockTime, wall: wall))
            entry.lastUsable = usable
        }
        locks[id] = entry
        markDirty(id)
        return out + acks
    }

    private func eventMessage(_ id: LockID, _ event: LockEvent, delayed: Bool) -> Outgoing {
        var o = EventPayload.object(event, delayed: delayed)
        o["v"] = .int(Int64(DeviceTopics.version))
        o["category"] = .string(EventPayload.category(event))
        return Outgoing(topic: topics.lock(id, .event), payload: Self.bytes(o))
    }

    private func snapshot(_ id: LockID, _ entry: EmulatedLock, lockTime: Date, wall: Date) -> Outgoing {
        let snapshot = DeviceSnapshot(entry.lock, emulator: instance, lockTime: entry.time(lockTime), wallTime: wall)
        return Outgoing(topic: topics.lock(id, .state), payload: Self.bytes(snapshot.object), retain: true)
    }

    /// Serializes a payload built from finite values only.
    static func bytes(_ o: JSONObject) -> [UInt8] {
        (try? o.serializedBytes()) ?? Array(#"{"error":"unserializable"}"#.utf8)
    }
}
