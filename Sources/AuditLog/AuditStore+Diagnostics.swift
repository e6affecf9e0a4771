import GRDB

extension AuditStore {
    /// SQLite's query plan for `sql`, one detail line per step (for tests of index use).
    func queryPlan(_ sql: String) throws(AuditStoreError) -> [String] {
        try reading("explaining \(sql)") { db in
            // Every parameter is NULL: the plan depends on the statement, not on the values.
            let parameters = sql.filter { $0 == "?" }.count
            let arguments = StatementArguments(Array(repeating: DatabaseValue.null, count: parameters))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments)
                .map { $0["detail"] }
        }
    }

    /// The value of a PRAGMA, such as `journal_mode`.
    func pragma(_ name: String) throws(AuditStoreError) -> String? {
        try reading("reading PRAGMA \(name)") { db in
            try String.fetchOne(db, sql: "PRAGMA \(name)")
        }
    }
}
