/// The PostgreSQL schema: the SQLite store's tables (Sources/AuditLog/AuditSchema.swift), in
/// PostgreSQL's types. A migration, once shipped, is never edited; new ones are appended.
enum PostgresSchema {
    /// The advisory lock that makes bridges starting together migrate one at a time.
    static let migrationLock: Int64 = 0x6C6F_636B_6D69_67  // "lockmig"

    static let recordColumns = "id, lock, category, topic, payload, at, epoch, seq, delivered"

    static let migrations: [(String, [String])] = [
        ("v1", [
            // BIGSERIAL: ids only ever grow, also after the newest rows are pruned.
            """
            CREATE TABLE audit (
                id BIGSERIAL PRIMARY KEY, lock TEXT NOT NULL, category TEXT NOT NULL, topic TEXT NOT NULL,
                payload BYTEA NOT NULL, at DOUBLE PRECISION NOT NULL, epoch BIGINT, seq BIGINT,
                delivered BOOLEAN NOT NULL DEFAULT false)
            """,
            "CREATE INDEX audit_undelivered ON audit (id) WHERE NOT delivered",
            "CREATE INDEX audit_delivered_at ON audit (at) WHERE delivered",
            "CREATE INDEX audit_lock_at ON audit (lock, at, id)",
            """
            CREATE TABLE request (
                lock TEXT NOT NULL, request_id TEXT NOT NULL, result BYTEA NOT NULL, at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (lock, request_id))
            """,
            "CREATE INDEX request_at ON request (at)",
            "CREATE TABLE lock_sequence (lock TEXT PRIMARY KEY, epoch BIGINT NOT NULL, seq BIGINT NOT NULL)",
            "CREATE TABLE lock_state (lock TEXT PRIMARY KEY, state BYTEA NOT NULL)",
            "CREATE TABLE removed_lock (lock TEXT PRIMARY KEY, at DOUBLE PRECISION NOT NULL)",
            // The epoch of bridge-raised events, fixed when the database is made (spec 3.3).
            "CREATE TABLE bridge_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), epoch BIGINT NOT NULL)",
            "INSERT INTO bridge_epoch (id, epoch) VALUES (1, (extract(epoch FROM now()) * 1000)::BIGINT)",
            "CREATE TABLE bridge_sequence (lock TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
            "CREATE TABLE plan (name TEXT PRIMARY KEY, sealed BYTEA NOT NULL, applied_at DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE plan_lock (plan TEXT NOT NULL, lock TEXT NOT NULL, state BYTEA NOT NULL, PRIMARY KEY (plan, lock))",
            "CREATE TABLE plan_request (request_id TEXT PRIMARY KEY, response BYTEA NOT NULL, at DOUBLE PRECISION NOT NULL)",
            "CREATE INDEX plan_request_at ON plan_request (at)",
        ]),
        // Each shard's owner epoch (spec 8): raised, and committed, whenever a bridge takes it.
        ("v2", ["CREATE TABLE shard_epoch (shard INTEGER PRIMARY KEY, epoch BIGINT NOT NULL)"]),
    ]
}
