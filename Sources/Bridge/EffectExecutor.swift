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
            case .readShared(let since): await readShared(resultsSince: since)
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

    private func prune(_ now: Date) async {
        do {
            let removed = try await store.prune(now: now, retention: configuration.auditRetentionDays * 86_400, requestRetention: configuration.requestRetention)
            if removed > 0 { logger.debug("pruned the audit log", metadata: [LogKey.count: "\(removed)"]) }
        } catch {
            logger.info("cannot prune the audit log", metadata: [LogKey.error: "\(error)"])
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
