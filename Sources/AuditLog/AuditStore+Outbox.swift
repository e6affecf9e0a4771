public import Foundation
import GRDB

extension AuditStore {
    /// Writes one record, undelivered, and returns its id; call it before publishing.
    public func append(
        lock: String, category: String, topic: String, payload: [UInt8], at: Date, epoch: Int64?,
        seq: Int64?
    ) throws(AuditStoreError) -> Int64 {
        try writing("appending a \(category) record for lock \(lock)") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.append)
            try statement.execute(arguments: [
                lock, category, topic, Data(payload), at.storedSeconds, epoch, seq,
            ])
            return db.lastInsertedRowID
        }
    }

    /// Writes one device event, undelivered, and records (epoch, seq) as the lock's last
    /// sequence, in one transaction: one commit per event instead of two, and a crash can no
    /// longer keep the record without the sequence or the other way round.
    public func appendSequenced(
        lock: String, category: String, topic: String, payload: [UInt8], at: Date, epoch: Int64,
        seq: Int64
    ) throws(AuditStoreError) -> Int64 {
        try writing("appending a \(category) record for lock \(lock) at sequence \(epoch)/\(seq)") { db in
            try db.cachedStatement(sql: AuditSQL.append).execute(arguments: [
                lock, category, topic, Data(payload), at.storedSeconds, epoch, seq,
            ])
            let id = db.lastInsertedRowID
            try db.cachedStatement(sql: AuditSQL.setLastSequence).execute(arguments: [lock, epoch, seq])
            return id
        }
    }

    /// Marks a record delivered (after the broker's PUBACK); marking it again does nothing.
    public func markDelivered(_ id: Int64) throws(AuditStoreError) {
        try markDelivered([id])
    }

    /// Marks records delivered, in one transaction; unknown or already delivered ids are skipped.
    public func markDelivered(_ ids: [Int64]) throws(AuditStoreError) {
        if ids.isEmpty { return }
        try writing("marking \(ids.count) audit record(s) delivered") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.markDelivered)
            for id in ids {
                try statement.execute(arguments: [id])
            }
        }
    }

    /// Undelivered records, oldest first (id order), at most `limit`.
    public func undelivered(limit: Int) throws(AuditStoreError) -> [AuditRecord] {
        if limit <= 0 { return [] }
        return try reading("reading undelivered audit records") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.undelivered)
            return try Row.fetchAll(statement, arguments: [limit]).map(AuditRecord.init(row:))
        }
    }

    /// The newest `limit` records of `lock` at or after `since`, returned oldest to newest.
    ///
    /// "Newest" is by event time, ties broken by append order, so a device's late-delivered
    /// backlog sorts where it happened rather than where it arrived.
    public func history(lock: String, since: Date?, limit: Int) throws(AuditStoreError)
        -> [AuditRecord]
    {
        if limit <= 0 { return [] }
        return try reading("reading the history of lock \(lock)") { db in
            // A missing `since` is -infinity, so one statement (and one plan) serves both.
            let statement = try db.cachedStatement(sql: AuditSQL.history)
            let lowerBound = since?.storedSeconds ?? -Double.infinity
            let newestFirst = try Row.fetchAll(statement, arguments: [lock, lowerBound, limit])
            return newestFirst.reversed().map(AuditRecord.init(row:))
        }
    }
}
