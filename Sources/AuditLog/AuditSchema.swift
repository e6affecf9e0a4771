import Foundation
import GRDB

/// The database schema, as GRDB migrations: a migration, once shipped, is never edited.
enum AuditSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // AUTOINCREMENT: without it SQLite reuses the largest rowid once that row is
            // pruned, and ids must stay monotonic for the bridge's outbox bookkeeping.
            // `at` is REAL seconds since 1970, so it orders and compares as a number.
            try db.execute(sql: """
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    lock TEXT NOT NULL,
                    category TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    at REAL NOT NULL,
                    epoch INTEGER,
                    seq INTEGER,
                    delivered INTEGER NOT NULL DEFAULT 0
                );
                -- The outbox: only undelivered rows, so replay after a crash reads just them.
                CREATE INDEX audit_undelivered ON audit(id) WHERE delivered = 0;
                -- Prune: only delivered rows, so it never scans the outbox or the whole log.
                CREATE INDEX audit_delivered_at ON audit(at) WHERE delivered = 1;
                -- History; the rowid (id) is implicitly the last key, breaking ties of `at`.
                CREATE INDEX audit_lock_at ON audit(lock, at);

                CREATE TABLE request (
                    lock TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    result BLOB NOT NULL,
                    at REAL NOT NULL,
                    PRIMARY KEY (lock, request_id)
                ) WITHOUT ROWID;
                CREATE INDEX request_at ON request(at);

                CREATE TABLE lock_sequence (
                    lock TEXT NOT NULL PRIMARY KEY,
                    epoch INTEGER NOT NULL,
                    seq INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE lock_state (
                    lock TEXT NOT NULL PRIMARY KEY,
                    state BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2") { db in
            // Locks removed on request: their retained device snapshot must not bring them back.
            try db.execute(sql: """
                CREATE TABLE removed_lock (
                    lock TEXT NOT NULL PRIMARY KEY,
                    at DOUBLE NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3") { db in
            // Faults the bridge raises itself carry the bridge's own epoch and a seq per lock
            // (spec 3.3). The epoch (milliseconds since 1970) is fixed when the database first gets this table, so a lost
            // data directory starts a new epoch. A removed lock keeps its row: if it comes back,
            // its bridge events go on counting and never repeat an (epoch, seq).
            try db.execute(sql: """
                CREATE TABLE bridge_epoch (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    epoch INTEGER NOT NULL
                );
                CREATE TABLE bridge_sequence (
                    lock TEXT NOT NULL PRIMARY KEY,
                    seq INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
            try db.execute(sql: "INSERT INTO bridge_epoch (id, epoch) VALUES (1, ?)", arguments: [Int64(Date().timeIntervalSince1970 * 1000)])
        }
        migrator.registerMigration("v4") { db in
            // Access plans (spec 7.2). `sealed` is the plan with its codes under AES-256-GCM; the
            // key is in the plan key file, never here. A lock's standing holds no code.
            try db.execute(sql: """
                CREATE TABLE plan (
                    name TEXT NOT NULL PRIMARY KEY,
                    sealed BLOB NOT NULL,
                    applied_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE plan_lock (
                    plan TEXT NOT NULL,
                    lock TEXT NOT NULL,
                    state BLOB NOT NULL,
                    PRIMARY KEY (plan, lock)
                ) WITHOUT ROWID;
                CREATE TABLE plan_request (
                    request_id TEXT NOT NULL PRIMARY KEY,
                    response BLOB NOT NULL,
                    at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX plan_request_at ON plan_request(at);
                """)
        }
        return migrator
    }
}
