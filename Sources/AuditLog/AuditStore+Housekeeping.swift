public import Foundation
import GRDB

extension AuditStore {
    /// Request ids are kept at least this long, whatever the caller asks.
    public static let minimumRequestRetention: TimeInterval = 24 * 60 * 60

    /// Rows deleted per transaction by `prune`, so appends are not held up behind a long delete.
    static let pruneBatch = 5_000
    /// The same, for the other stores behind ``BridgeStore``.
    public static let pruneBatchSize = Int64(pruneBatch)

    /// Deletes delivered audit records older than `now - retention`, and request ids older than `now - max(requestRetention, 24 h)`. Never deletes undelivered records. Returns how many rows went.
    public func prune(now: Date, retention: TimeInterval, requestRetention: TimeInterval)
        throws(AuditStoreError) -> Int
    {
        let recordCutoff = now.addingTimeInterval(-retention).storedSeconds
        let requestCutoff = now.addingTimeInterval(
            -max(requestRetention, Self.minimumRequestRetention)
        ).storedSeconds
        // Each batch is its own transaction: the first prune after a long outage may delete
        // millions of rows, and the serial connection would otherwise stall every append.
        let records = try deleteInBatches(
            "pruning delivered audit records", sql: AuditSQL.pruneRecords, cutoff: recordCutoff)
        let requests = try deleteInBatches(
            "pruning remembered request ids", sql: AuditSQL.pruneRequests, cutoff: requestCutoff)
        let planRequests = try deleteInBatches(
            "pruning plan request ids", sql: AuditSQL.prunePlanRequests, cutoff: requestCutoff)
        return records + requests + planRequests
    }

    /// Runs a `DELETE ... LIMIT`-style statement until it deletes less than a full batch.
    private func deleteInBatches(_ doing: String, sql: String, cutoff: Double)
        throws(AuditStoreError) -> Int
    {
        var total = 0
        while true {
            let deleted = try writing(doing) { db in
                try db.cachedStatement(sql: sql).execute(arguments: [cutoff, Self.pruneBatch])
                return db.changesCount
            }
            total += deleted
            if deleted < Self.pruneBatch { return total }
        }
    }

    /// How many records, undelivered records and request ids the store holds.
    ///
    /// Counting the whole log reads an index end to end: meant for status, not a hot path.
    public func counts() throws(AuditStoreError) -> AuditCounts {
        try reading("counting audit records") { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM audit) AS records,
                       (SELECT COUNT(*) FROM audit WHERE delivered = 0) AS undelivered,
                       (SELECT COUNT(*) FROM request) AS requests
                """)
            guard let row else { return AuditCounts(records: 0, undelivered: 0, requests: 0) }
            return AuditCounts(
                records: row["records"], undelivered: row["undelivered"], requests: row["requests"])
        }
    }
}
