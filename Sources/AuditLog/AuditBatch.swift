public import Foundation
import GRDB

/// Everything durable that one batch of the bridge's inputs produced, written in one transaction
/// (group commit): with many events waiting, one commit serves them all.
public struct AuditBatch: Sendable {
    public struct Event: Sendable {
        public var lock: String
        public var category: String
        public var topic: String
        public var payload: [UInt8]
        public var at: Date
        /// The lock's epoch and seq; also recorded as its last sequence. Nil for bridge-raised events.
        public var epoch: Int64?
        public var seq: Int64?
        /// A bridge-raised event's seq (in the bridge's epoch); recorded as the lock's last bridge seq.
        public var bridgeSeq: Int64?

        public init(
            lock: String, category: String, topic: String, payload: [UInt8], at: Date, epoch: Int64?, seq: Int64?, bridgeSeq: Int64? = nil
        ) {
            (self.lock, self.category, self.topic, self.payload, self.at, self.epoch, self.seq) = (lock, category, topic, payload, at, epoch, seq)
            self.bridgeSeq = bridgeSeq
        }
    }

    public struct Result: Sendable {
        public var lock: String
        public var requestID: String
        public var result: [UInt8]
        public var at: Date
        /// A final result replaces a provisional one; a provisional one never replaces anything.
        public var final: Bool

        public init(lock: String, requestID: String, result: [UInt8], at: Date, final: Bool) {
            (self.lock, self.requestID, self.result, self.at, self.final) = (lock, requestID, result, at, final)
        }
    }

    public var events: [Event] = []
    public var results: [Result] = []
    public var states: [(lock: String, state: [UInt8])] = []
    public var readmitted: [String] = []
    public var removed: [(lock: String, at: Date)] = []
    /// Outbox records the broker acknowledged.
    public var delivered: [Int64] = []
    /// Access plans: sealed definitions, each lock's standing, plans gone, and the answers to
    /// changing plan requests.
    public var planDefinitions: [(name: String, sealed: [UInt8], appliedAt: Date)] = []
    public var planLocks: [(plan: String, lock: String, state: [UInt8])] = []
    public var forgottenPlans: [String] = []
    public var planRequests: [(id: String, response: [UInt8], at: Date)] = []

    public init() {}

    public var isEmpty: Bool {
        events.isEmpty && results.isEmpty && states.isEmpty && readmitted.isEmpty && removed.isEmpty && delivered.isEmpty && !hasPlans
    }

    var hasPlans: Bool { !planDefinitions.isEmpty || !planLocks.isEmpty || !forgottenPlans.isEmpty || !planRequests.isEmpty }
}

extension AuditStore {
    /// Writes a batch in one transaction and returns the outbox ids of its events, in order.
    public func commit(_ batch: AuditBatch) throws(AuditStoreError) -> [Int64] {
        if batch.isEmpty { return [] }
        return try writing("writing \(batch.events.count) event(s) and \(batch.results.count) result(s)") { db in
            var ids: [Int64] = []
            ids.reserveCapacity(batch.events.count)
            let append = try db.cachedStatement(sql: AuditSQL.append)
            let sequence = try db.cachedStatement(sql: AuditSQL.setLastSequence)
            let bridgeSequence = try db.cachedStatement(sql: AuditSQL.setBridgeSequence)
            for event in batch.events {
                try append.execute(arguments: [
                    event.lock, event.category, event.topic, Data(event.payload), event.at.storedSeconds, event.epoch, event.seq,
                ])
                ids.append(db.lastInsertedRowID)
                if let epoch = event.epoch, let seq = event.seq { try sequence.execute(arguments: [event.lock, epoch, seq]) }
                if let seq = event.bridgeSeq { try bridgeSequence.execute(arguments: [event.lock, seq]) }
            }
            for result in batch.results {
                try db.cachedStatement(sql: result.final ? AuditSQL.rememberFinal : AuditSQL.remember).execute(arguments: [
                    result.lock, result.requestID, Data(result.result), result.at.storedSeconds,
                ])
            }
            let save = try db.cachedStatement(sql: AuditSQL.saveLockState)
            for (lock, state) in batch.states { try save.execute(arguments: [lock, Data(state)]) }
            for lock in batch.readmitted { try db.execute(sql: "DELETE FROM removed_lock WHERE lock = ?", arguments: [lock]) }
            for (lock, at) in batch.removed { try Self.remove(lock, at: at, db) }
            let delivered = try db.cachedStatement(sql: AuditSQL.markDelivered)
            for id in batch.delivered { try delivered.execute(arguments: [id]) }
            if batch.hasPlans { try Self.writePlans(batch, db) }
            return ids
        }
    }

    /// Every remembered result written at or after `since`, for the bridge's request memory.
    public func rememberedResults(since: Date) throws(AuditStoreError) -> [AuditBatch.Result] {
        try reading("reading the remembered request ids") { db in
            try Row.fetchAll(db, sql: "SELECT lock, request_id, result, at FROM request WHERE at >= ?", arguments: [since.storedSeconds]).map { row in
                let result: Data = row["result"]
                let at: Double = row["at"]
                return AuditBatch.Result(lock: row["lock"], requestID: row["request_id"], result: Array(result), at: Date(timeIntervalSince1970: at), final: true)
            }
        }
    }
}
