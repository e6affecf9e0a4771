public import Foundation
import GRDB

extension AuditStore {
    /// The last device sequence number seen from `lock`, or nil if none was recorded.
    public func lastSequence(lock: String) throws(AuditStoreError) -> (epoch: Int64, seq: Int64)? {
        try reading("reading the last sequence of lock \(lock)") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.lastSequence)
            return try Row.fetchOne(statement, arguments: [lock]).map { row in
                (epoch: row["epoch"], seq: row["seq"])
            }
        }
    }

    /// Every lock's last device sequence number, for a restart.
    public func lastSequences() throws(AuditStoreError) -> [String: (epoch: Int64, seq: Int64)] {
        try reading("reading the last sequences") { db in
            var result: [String: (epoch: Int64, seq: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT lock, epoch, seq FROM lock_sequence") {
                result[row["lock"]] = (epoch: row["epoch"], seq: row["seq"])
            }
            return result
        }
    }

    /// The bridge's own epoch for the events it raises (fixed when the database was made).
    public func bridgeEpoch() throws(AuditStoreError) -> Int64 {
        try reading("reading the bridge epoch") { db in try Int64.fetchOne(db, sql: "SELECT epoch FROM bridge_epoch WHERE id = 1") ?? 1 }
    }

    /// The last seq of the events the bridge raised for each lock, removed locks included.
    public func bridgeSequences() throws(AuditStoreError) -> [String: Int64] {
        try reading("reading the bridge sequences") { db in
            var result: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT lock, seq FROM bridge_sequence") { result[row["lock"]] = row["seq"] }
            return result
        }
    }

    /// Records the last device sequence number seen from `lock`, replacing the previous one.
    public func setLastSequence(lock: String, epoch: Int64, seq: Int64) throws(AuditStoreError) {
        try writing("recording sequence \(epoch)/\(seq) of lock \(lock)") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.setLastSequence)
            try statement.execute(arguments: [lock, epoch, seq])
        }
    }

    /// Stores the bridge's state of `lock` (JSON bytes), replacing the previous one.
    public func saveLockState(lock: String, state: [UInt8]) throws(AuditStoreError) {
        try writing("saving the state of lock \(lock)") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.saveLockState)
            try statement.execute(arguments: [lock, Data(state)])
        }
    }

    /// Stores many locks' states in one transaction: one commit for a whole batch of changed
    /// locks, instead of one each.
    public func saveLockStates(_ states: [(lock: String, state: [UInt8])]) throws(AuditStoreError) {
        if states.isEmpty { return }
        try writing("saving the state of \(states.count) lock(s)") { db in
            let statement = try db.cachedStatement(sql: AuditSQL.saveLockState)
            for (lock, state) in states { try statement.execute(arguments: [lock, Data(state)]) }
        }
    }

    /// Every saved lock state, by lock, to republish retained state on restart.
    public func lockStates() throws(AuditStoreError) -> [String: [UInt8]] {
        try reading("reading the saved lock states") { db in
            var states: [String: [UInt8]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT lock, state FROM lock_state")
            while let row = try rows.next() {
                let state: Data = row["state"]
                states[row["lock"]] = Array(state)
            }
            return states
        }
    }

    /// Forgets the state and sequence of `lock` and marks it removed, in one transaction; its
    /// audit history stays.
    public func removeLock(_ lock: String, at date: Date = Date()) throws(AuditStoreError) {
        try writing("removing lock \(lock)") { db in try Self.remove(lock, at: date, db) }
    }

    static func remove(_ lock: String, at date: Date, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM lock_state WHERE lock = ?", arguments: [lock])
        try db.execute(sql: "DELETE FROM lock_sequence WHERE lock = ?", arguments: [lock])
        try db.execute(sql: "INSERT OR REPLACE INTO removed_lock (lock, at) VALUES (?, ?)", arguments: [lock, date.timeIntervalSince1970])
    }

    /// Locks removed on request and not heard from live since.
    public func removedLocks() throws(AuditStoreError) -> Set<String> {
        try reading("reading the removed locks") { db in Set(try String.fetchAll(db, sql: "SELECT lock FROM removed_lock")) }
    }

    /// A removed lock reported live again: it is known once more.
    public func readmitLock(_ lock: String) throws(AuditStoreError) {
        try writing("readmitting lock \(lock)") { db in
            try db.execute(sql: "DELETE FROM removed_lock WHERE lock = ?", arguments: [lock])
        }
    }
}
