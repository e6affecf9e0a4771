public import Foundation
import GRDB

/// Access plans in the store (spec 7.2): the sealed definitions, each lock's standing, and the
/// answers to changing plan requests, written with the rest of a batch.
extension AuditStore {
    /// One stored plan: its sealed definition and each lock's standing.
    public struct PlanRow: Sendable {
        public var name: String
        public var sealed: [UInt8]
        public var locks: [String: [UInt8]]

        public init(name: String, sealed: [UInt8], locks: [String: [UInt8]]) {
            (self.name, self.sealed, self.locks) = (name, sealed, locks)
        }
    }

    static func writePlans(_ batch: AuditBatch, _ db: Database) throws {
        for plan in batch.planDefinitions {
            try db.execute(
                sql: "INSERT OR REPLACE INTO plan (name, sealed, applied_at) VALUES (?, ?, ?)",
                arguments: [plan.name, Data(plan.sealed), plan.appliedAt.storedSeconds])
        }
        let saveLock = try db.cachedStatement(sql: "INSERT OR REPLACE INTO plan_lock (plan, lock, state) VALUES (?, ?, ?)")
        for row in batch.planLocks { try saveLock.execute(arguments: [row.plan, row.lock, Data(row.state)]) }
        for name in batch.forgottenPlans {
            try db.execute(sql: "DELETE FROM plan WHERE name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM plan_lock WHERE plan = ?", arguments: [name])
        }
        for request in batch.planRequests {
            try db.execute(
                sql: "INSERT OR IGNORE INTO plan_request (request_id, response, at) VALUES (?, ?, ?)",
                arguments: [request.id, Data(request.response), request.at.storedSeconds])
        }
    }

    /// Every stored plan, sealed as it was written.
    public func plans() throws(AuditStoreError) -> [PlanRow] {
        try reading("reading the access plans") { db in
            var rows: [String: PlanRow] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, sealed FROM plan") {
                let sealed: Data = row["sealed"]
                let name: String = row["name"]
                rows[name] = PlanRow(name: name, sealed: Array(sealed), locks: [:])
            }
            for row in try Row.fetchAll(db, sql: "SELECT plan, lock, state FROM plan_lock") {
                let plan: String = row["plan"]
                let state: Data = row["state"]
                rows[plan]?.locks[row["lock"]] = Array(state)
            }
            return rows.keys.sorted().map { rows[$0]! }
        }
    }

    /// The answers to changing plan requests written at or after `since`, by `request_id`.
    public func planRequests(since: Date) throws(AuditStoreError) -> [String: [UInt8]] {
        try reading("reading the plan request ids") { db in
            var out: [String: [UInt8]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT request_id, response FROM plan_request WHERE at >= ?", arguments: [since.storedSeconds]) {
                let response: Data = row["response"]
                out[row["request_id"]] = Array(response)
            }
            return out
        }
    }
}
