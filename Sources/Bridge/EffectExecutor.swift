import AuditLog
import BridgeCore
import Foundation
import JSON
import LockAPI
import Logging
import MQTT
import Locking
import PostgresStore

/// Owns the ``BridgeMachine`` and carries out its effects. It takes the inputs waiting (a batch
/// of at most `InputQueue.maxBatch`), runs
/// them through the machine, writes the batch's audit records, sequences, remembered results and
/// lock states in one SQLite transaction, and only then publishes. So an event is in the outbox
/// before it is published, and a provisional result is stored before its command goes out.
/// Nothing else touches the machine, so no lock is ever held across SQLite or the socket.
struct EffectExecutor {
    var machine: BridgeMachine
    let inputs: InputQueue
    let client: any MQTTClient
    let store: any BridgeStore
    let configuration: BridgeConfiguration
    let logger: Logger
    /// Outbox records handed to the broker and not yet confirmed in SQLite.
    let inFlight: InFlight
    /// PUBACKs of outbox records, gathered on the loop thread, written with the next batch.
    let acknowledged = Acknowledged()
    let paced: AsyncStream<[PacedPublication]>.Continuation
    let clock: @Sendable () -> Date
    /// Seals access plans' codes before they are stored.
    let vault: PlanVault
    /// Several bridges: the holder of this bridge's shards (spec 8).
    let keeper: ShardKeeper?
    /// Stored plans already said to be unreadable with this bridge's plan key.
    let unreadablePlans = SaidOnce()

    /// Until the input queue is finished and drained.
    mutating func run() async {
        var firstConnect = true
        while let batch = await inputs.take() {
            var effects: [BridgeEffect] = []
            for input in batch {
                if case .connected = input {
                    // What did not get out before (a crash, an outage): first, in order.
                    try? await publish(effects)
                    effects = []
                    await resendUndelivered(afterRestart: firstConnect)
                    firstConnect = false
                }
                effects += machine.handle(input, now: clock())
            }
            try? await publish(effects)
        }
    }

    /// Writes what must be durable first in one transaction, publishes everything in order,
    /// then writes the rest. First: events (the outbox), provisional results (before their
    /// command leaves), removals and readmissions. After: final results and saved lock states,
    /// which nothing published waits for. The core already answers duplicates from its memory;
    /// should the bridge die in between, a retry gets the provisional answer.
    func publish(_ effects: [BridgeEffect]) async throws {
        var first = AuditBatch()
        var after = AuditBatch()
        after.delivered = acknowledged.take()
        defer { if !after.delivered.isEmpty { inFlight.remove(after.delivered) } }
        if effects.isEmpty && after.delivered.isEmpty { return }
        for effect in effects {
            switch effect {
            case .event(let e):
                first.events.append(AuditBatch.Event(
                    lock: e.lock.rawValue, category: e.category, topic: e.topic, payload: e.payload, at: e.at, epoch: e.epoch, seq: e.seq,
                    bridgeSeq: e.bridgeSeq))
            case .remember(let r):
                let result = AuditBatch.Result(lock: r.lock.rawValue, requestID: r.requestID, result: r.result, at: r.at, final: r.final)
                if r.final { after.results.append(result) } else { first.results.append(result) }
            case .save(let saved): after.states += saved.map { (lock: $0.lock.rawValue, state: $0.state) }
            case .readmit(let id): first.readmitted.append(id.rawValue)
            case .forget(let id): first.removed.append((lock: id.rawValue, at: clock()))
            case .plans(let changes): add(changes, to: &first)
            default: break
            }
        }
        let ids = await commit(first)
        var nextEvent = 0
        // Many publishes (a snapshot burst, an announce) leave in full segments.
        let coalesce = effects.count(where: \.isPublishing) >= Self.coalesceFrom
        if coalesce { client.coalesceWrites(true) }
        for effect in effects {
            switch effect {
            case .publish(let publication): await send(publication)
            case .event(let e):
                let id = nextEvent < ids.count ? ids[nextEvent] : nil
                nextEvent += 1
                await send(Publication(topic: e.topic, payload: e.payload), auditID: id)
            case .answerHealth(let health): for p in await respond(health.route, { try await healthReport(health) }) { await send(p) }
            case .answerHistory(let query): for p in await respond(query.route, { try await history(query) }) { await send(p) }
            case .prune(let now): await prune(now)
            case .publishPaced(let list): paced.yield(list)
            case .retakeShard(let shard, let above): keeper?.retake(shard, above: above)
            case .loadShards(let shards): await loadShards(shards)
            case .readShared: await readShared()
            case .remember, .save, .readmit, .forget, .plans: break
            }
        }
        // The batch leaves now; what nothing published waits for is written after.
        if coalesce { client.coalesceWrites(false) }
        _ = await commit(after)
    }

    /// Plan changes go with the batch's first transaction: a plan write is stored before it leaves.
    private func add(_ changes: [PlanStoreChange], to batch: inout AuditBatch) {
        for change in changes {
            switch change {
            case .definition(let definition):
                batch.planDefinitions.append((name: definition.plan.name, sealed: vault.seal(definition), appliedAt: definition.appliedAt))
            case .lock(let plan, let lock, let state): batch.planLocks.append((plan: plan, lock: lock.rawValue, state: state))
            case .forget(let plan): batch.forgottenPlans.append(plan)
            case .request(let id, let response, let at): batch.planRequests.append((id: id, response: response, at: at))
            }
        }
    }

    /// Writes the PUBACKs gathered so far, on their own (while waiting, and at shutdown).
    func commitAcknowledged() async {
        var batch = AuditBatch()
        batch.delivered = acknowledged.take()
        guard !batch.delivered.isEmpty else { return }
        _ = await commit(batch)
        inFlight.remove(batch.delivered)
    }

    /// At shutdown: waits up to `seconds` for the PUBACKs of what is still on its way, writing
    /// them as they come. What is not acknowledged by then goes out again at the next start.
    func drain(within seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while inFlight.count > 0, ContinuousClock.now < deadline {
            await commitAcknowledged()
            try? await Task.sleep(for: .milliseconds(10))
        }
        await commitAcknowledged()
        if inFlight.count > 0 { logger.info("broker unreachable at shutdown: the outbox keeps what is unsent for the next start", metadata: [LogKey.count: "\(inFlight.count)"]) }
    }

    /// One transaction; on failure the batch is logged and publishing goes on: an event late in
    /// the log beats an event lost.
    private func commit(_ batch: AuditBatch) async -> [Int64] {
        do {
            return try await store.commit(batch)
        } catch {
            logger.info("audit log write failed", metadata: [LogKey.error: "\(error)", LogKey.count: "\(batch.events.count)"])
            return []
        }
    }

    /// Sends one message; an audited one is confirmed in SQLite when its PUBACK arrives.
    func send(_ publication: Publication, auditID: Int64? = nil) async {
        var properties = MQTTProperties(correlationData: publication.correlation)
        if let signature = publication.signature { properties.userProperties = [UserProperty(DeviceSigner.property, signature)] }
        if let auditID { inFlight.insert(auditID) }
        if client.unacknowledgedPublishes >= Self.maxUnacknowledged {
            // PUBACKs that arrived meanwhile are written before waiting for more.
            await commitAcknowledged()
            // The broker is behind: wait for it here, and meanwhile let the loop thread go on
            // reading (it brings the PUBACKs that make room), so the two never wait for each other.
            inputs.producersMayWait(false)
            client.coalesceWrites(false)
            await client.waitForRoom(below: Self.maxUnacknowledged)
            inputs.producersMayWait(true)
        }
        do {
            let receipt = try await client.send(publication.topic, payload: publication.payload, qos: .atLeastOnce, retain: publication.retain, properties: properties)
            guard let auditID else { return receipt.forget() }
            let (acknowledged, inFlight, inputs, logger) = (acknowledged, inFlight, inputs, logger)
            receipt.onAcknowledged { accepted in
                guard accepted else {
                    // Not confirmed: the record stays in the outbox and goes out again after the reconnect.
                    inFlight.remove([auditID])
                    logger.info("publish not confirmed", metadata: [LogKey.topic: "\(publication.topic)"])
                    return
                }
                if acknowledged.add(auditID) { inputs.wake() }
            }
        } catch {
            if let auditID { inFlight.remove([auditID]) }
            logger.info("publish failed", metadata: [LogKey.topic: "\(publication.topic)", LogKey.error: "\(error)"])
        }
    }

    /// Publishes at most this far ahead of the broker's acknowledgements, so a burst (10,000
    /// retained snapshots at start) waits for the broker instead of piling up in libmosquitto.
    static let maxUnacknowledged = 1000
    /// Batches that publish this many messages or more coalesce their writes: two already share
    /// one segment (the event and the state of a key turn), for two cheap `setsockopt` calls.
    static let coalesceFrom = 2

    /// Outbox records not confirmed and not on their way: published again, oldest first. After a
    /// reconnect these are the ones whose publish failed; at start, everything unconfirmed. Spec
    /// 3.2 marks them `delayed`: all of them after a restart, else those more than 30 s old.
    func resendUndelivered(afterRestart: Bool) async {
        do {
            // Several bridges: each publishes the records of its own shards.
            let shards = machine.ownedShards
            let pending = try await store.undelivered(limit: 1_000_000).filter { record in
                !inFlight.contains(record.id) && (shards.map { Self.inShards(record.lock, $0) } ?? true)
            }
            if pending.isEmpty { return }
            logger.info("resending undelivered events", metadata: [LogKey.count: "\(pending.count)"])
            let now = clock()
            for record in pending {
                let late = afterRestart || now.timeIntervalSince(record.at) > EventPayload.lateAfter
                let payload = late ? EventPayload.markedDelayed(record.payload) : record.payload
                await send(Publication(topic: record.topic, payload: payload), auditID: record.id)
            }
        } catch {
            logger.info("cannot read the outbox", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// A takeover (spec 8): the shards' request memory and bridge seqs go to the machine, and
    /// the records of the shards that no one confirmed go out again, in order, marked delayed.
    private func loadShards(_ shards: Set<Int>) async {
        do {
            let since = clock().addingTimeInterval(-configuration.requestRetention)
            let results = try await store.rememberedResults(since: since).compactMap { r -> RememberedResult? in
                guard let id = LockID(r.lock), shards.contains(Shards.shard(id)) else { return nil }
                return RememberedResult(lock: id, requestID: r.requestID, result: r.result, at: r.at, final: r.final)
            }
            var sequences: [LockID: Int64] = [:]
            for (lock, seq) in try await store.bridgeSequences() {
                if let id = LockID(lock), shards.contains(Shards.shard(id)) { sequences[id] = seq }
            }
            var last: [LockID: (epoch: Int64, seq: Int64)] = [:]
            for (lock, position) in try await store.lastSequences() {
                if let id = LockID(lock), shards.contains(Shards.shard(id)) { last[id] = position }
            }
            inputs.add(.shardData(ShardData(shards: shards, results: results, bridgeSequences: sequences, sequences: last)))
            let pending = try await store.undelivered(limit: 1_000_000).filter { !inFlight.contains($0.id) && Self.inShards($0.lock, shards) }
            if !pending.isEmpty { logger.info("publishing the taken shards' unconfirmed events", metadata: [LogKey.count: "\(pending.count)"]) }
            for record in pending { await send(Publication(topic: record.topic, payload: EventPayload.markedDelayed(record.payload)), auditID: record.id) }
        } catch {
            logger.info("cannot read the taken shards from the store", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// Several bridges: the plans back from the store, opened with the plan key, and the removed
    /// locks. A plan this bridge cannot open (another plan key) is left out, and said once.
    private func readShared() async {
        do {
            var plans: [StoredPlan] = []
            for row in try await store.plans() {
                do {
                    plans.append(StoredPlan(definition: try vault.open(row.sealed, name: row.name), locks: row.locks))
                } catch {
                    if unreadablePlans.first(row.name) {
                        logger.error("cannot open a stored access plan: is plan_key_file the same on every bridge?", metadata: ["plan": "\(row.name)", LogKey.error: "\(error.message)"])
                    }
                }
            }
            inputs.add(.sharedRead(SharedState(plans: plans, removed: try await store.removedLocks())))
        } catch {
            // Said by the shard keeper already when the database is gone; tried again in a second.
            logger.debug("cannot read the plans and removed locks from the store", metadata: [LogKey.error: "\(error)"])
        }
    }

    static func inShards(_ lock: String, _ shards: Set<Int>) -> Bool { LockID(lock).map { shards.contains(Shards.shard($0)) } ?? false }

    private func respond(_ route: ResponseRoute, _ data: () async throws -> JSONValue) async -> [Publication] {
        let response: BridgeResponse
        do {
            response = BridgeResponse(data: try await data(), transaction: route.transaction)
        } catch {
            response = BridgeResponse(error: BridgeRequestError(code: "internal_error", message: "\(error)"), transaction: route.transaction)
        }
        return BridgeMachine.respond(route, response, PublicTopics(base: configuration.baseTopic)).compactMap {
            if case .publish(let p) = $0 { return p }
            return nil
        }
    }

    private func healthReport(_ health: HealthAnswer) async throws -> JSONValue {
        let counts = try await store.counts()
        let mqtt = client.statistics
        let queue = inputs.statistics
        let c = health.counters
        func int(_ value: Int) -> JSONValue { .int(Int64(value)) }
        return .object([
            "broker": .object([
                "connected": .bool(client.isConnected), "received": int(mqtt.received), "published": int(mqtt.published), "dropped": int(mqtt.dropped),
                "reconnects": int(max(0, mqtt.connects - 1)),
            ]),
            "locks": .object(["known": int(health.knownLocks), "online": int(health.onlineLocks)]),
            "queues": .object([
                "outbox_undelivered": int(counts.undelivered), "commands_in_flight": int(health.commandsInFlight),
                "input_depth": int(queue.depth), "input_high_water": int(queue.highWater), "input_full_waits": int(queue.fullWaits),
                "input_overflows": int(queue.overflows),
            ]),
            "audit": .object(["records": int(counts.records), "remembered_requests": int(counts.requests)]),
            "counters": .object([
                "commands": int(c.commands), "rejected_commands": int(c.rejectedCommands), "invalid_lock_ids": int(c.invalidLockIDs),
                "bad_device_messages": int(c.badDeviceMessages), "duplicate_events": int(c.duplicateEvents), "sequence_gaps": int(c.sequenceGaps),
                "timeouts": int(c.timeouts),
                "probes": int(c.probes), "probe_timeouts": int(c.probeTimeouts),
            ]),
            "started_at": .time(health.startedAt),
        ])
    }

    private func history(_ query: HistoryQuery) async throws -> JSONValue {
        .array(try await store.history(lock: query.lock, since: query.since, limit: query.limit).compactMap { record in
            guard var event = try? JSON.parseObject(record.payload) else { return nil }
            event["category"] = .string(record.category)
            return .object(event)
        })
    }

    private func prune(_ now: Date) async {
        do {
            let removed = try await store.prune(now: now, retention: configuration.auditRetentionDays * 86_400, requestRetention: configuration.requestRetention)
            if removed > 0 { logger.debug("pruned the audit log", metadata: [LogKey.count: "\(removed)"]) }
        } catch {
            logger.info("cannot prune the audit log", metadata: [LogKey.error: "\(error)"])
        }
    }
}

/// Outbox ids on their way to the broker (sent, not yet confirmed in SQLite).
final class InFlight: Sendable {
    private let ids = Locked(Set<Int64>())
    func insert(_ id: Int64) { ids.withLock { _ = $0.insert(id) } }
    func remove(_ done: [Int64]) { ids.withLock { $0.subtract(done) } }
    func contains(_ id: Int64) -> Bool { ids.withLock { $0.contains(id) } }
    var count: Int { ids.withLock { $0.count } }
}

/// Outbox ids whose PUBACK arrived, not yet marked delivered: added on the loop thread, taken by
/// the executor, which writes them in its next transaction instead of one of their own.
final class Acknowledged: Sendable {
    private let ids = Locked([Int64]())

    /// Adds one; true when it is the first since the last `take` (the executor needs waking).
    func add(_ id: Int64) -> Bool {
        ids.withLock {
            $0.append(id)
            return $0.count == 1
        }
    }

    func take() -> [Int64] {
        ids.withLock { ids in
            defer { ids.removeAll(keepingCapacity: true) }
            return ids
        }
    }
}

extension BridgeEffect {
    /// Whether carrying it out publishes on the executor's own flow.
    var isPublishing: Bool {
        switch self {
        case .publish, .event, .answerHealth, .answerHistory: true
        case .remember, .readmit, .forget, .save, .prune, .publishPaced, .plans, .retakeShard, .loadShards, .readShared: false
        }
    }
}

/// Names already reported, so a condition that lasts is logged once.
final class SaidOnce: Sendable {
    private let names = Locked(Set<String>())

    /// True the first time `name` comes.
    func first(_ name: String) -> Bool { names.withLock { $0.insert(name).inserted } }
}
