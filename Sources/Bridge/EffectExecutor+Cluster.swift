import AuditLog
import BridgeCore
import Foundation
import JSON
import LockAPI
import Logging

/// Several bridges (spec 8): what the executor reads from the shared store for the machine.
extension EffectExecutor {
    /// A takeover (spec 8): the shards' request memory and bridge seqs go to the machine, and
    /// the records of the shards that no one confirmed go out again, in order, marked delayed.
    func loadShards(_ shards: Set<Int>) async {
        do {
            let since = clock().addingTimeInterval(-configuration.requestRetention)
            let results = try await remembered(since: since) { shards.contains(Shards.shard($0)) }
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

    /// The request memory the store holds since `since`, of the locks `keep` accepts.
    func remembered(since: Date, _ keep: (LockID) -> Bool) async throws -> [RememberedResult] {
        try await store.rememberedResults(since: since).compactMap { r in
            guard let id = LockID(r.lock), keep(id) else { return nil }
            return RememberedResult(lock: id, requestID: r.requestID, result: r.result, at: r.at, final: r.final)
        }
    }

    /// Several bridges: the plans back from the store, opened with the plan key, and the removed
    /// locks; after a takeover, also the results stored since `resultsSince`. A plan this bridge
    /// cannot open (another plan key) is left out, and said once.
    func readShared(resultsSince: Date?) async {
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
            var results: [RememberedResult] = []
            if let since = resultsSince { results = try await remembered(since: since) { _ in true } }
            inputs.add(.sharedRead(SharedState(plans: plans, removed: try await store.removedLocks(), results: results)))
        } catch {
            // Said by the shard keeper already when the database is gone; tried again in a second.
            logger.debug("cannot read the plans and removed locks from the store", metadata: [LogKey.error: "\(error)"])
        }
    }

    static func inShards(_ lock: String, _ shards: Set<Int>) -> Bool { LockID(lock).map { shards.contains(Shards.shard($0)) } ?? false }
}
