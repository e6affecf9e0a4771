public import Foundation
import GRDB

extension AuditStore {
    /// Stores the result payload for (lock, requestID); returns false (and stores nothing) if that
    /// pair is already known, unless `replacing`, which overwrites a provisional result with the final one.
    public func remember(lock: String, requestID: String, result: [UInt8], at: Date, replacing: Bool = false)
        throws(AuditStoreError) -> Bool
    {
        try writing("remembering request \(requestID) of lock \(lock)") { db in
            let statement = try db.cachedStatement(sql: replacing ? AuditSQL.rememberFinal : AuditSQL.remember)
            try statement.execute(arguments: [lock, requestID, Data(result), at.storedSeconds])
            return db.changesCount > 0
        }
    }

    /// The stored result for a request id, or nil.
    public func result(lock: String, requestID: String) throws(AuditStoreError) -> [UInt8]? {
        try reading("reading the result of request \(requestID) of lock \(lock)") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.result)
            return try Data.fetchOne(statement, arguments: [lock, requestID]).map { Array($0) }
        }
    }
}
