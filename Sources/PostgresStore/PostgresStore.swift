public import AuditLog
public import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle

/// The bridge's store on PostgreSQL (spec 8): the same tables and the same behaviour as the
/// SQLite ``AuditStore`` (one test suite runs against both), shared by every bridge of a cluster.
///
/// Its connection pool must run: call ``run()`` in a task that lives as long as the store.
public final class PostgresStore: BridgeStore {
    let client: PostgresClient
    let logger: Logger
    let target: PostgresTarget
    let password: String?

    /// - Parameters:
    ///   - url: `postgres://user@host:port/database`, optionally `?sslmode=…&sslrootcert=…` as for
    ///     libpq (``PostgresTarget``); a password in it is refused (it would show in process lists
    ///     and logs), pass `password` instead.
    public init(url: String, password: String?, logger: Logger) throws(PostgresStoreError) {
        let target = try PostgresTarget(url: url)
        var configuration = PostgresClient.Configuration(
            host: target.host, port: target.port, username: target.user, password: password, database: target.database, tls: target.clientTLS)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 8
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        (self.logger, self.target, self.password) = (logger, target, password)
    }

    /// Runs the connection pool until the task is cancelled (tests).
    public func run() async { await client.run() }

    /// The connection pool as a service, to run in the process's ServiceGroup *before* the
    /// services that use the store: a group shuts down in reverse order, so the pool (which
    /// stops on graceful shutdown) outlives the bridge's last writes.
    public var pool: any Service { client }

    /// Brings the schema up to date, one migration at a time; bridges starting together take
    /// turns (a transaction-scoped advisory lock).
    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS lockbridge_migration (version TEXT PRIMARY KEY, at DOUBLE PRECISION NOT NULL)", logger: logger)
            var applied = Set<String>()
            for try await version in try await connection.query("SELECT version FROM lockbridge_migration", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for (version, statements) in PostgresSchema.migrations where !applied.contains(version) {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query(
                    "INSERT INTO lockbridge_migration (version, at) VALUES (\(version), \(Date().timeIntervalSince1970))", logger: logger)
            }
        }
    }

    /// Refuses a server in recovery (a standby): a bridge must never take shards from one (spec 8).
    /// It runs on a connection of its own, within 10 s, so a server that cannot be reached, a
    /// refused password or a certificate that does not verify is an error at once, with its cause
    /// (the pool would only wait and try again).
    public func requirePrimary() async throws {
        let (target, password, logger) = (self.target, self.password, self.logger)
        let recovering = try await Abandonable.within(10) {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration: try target.connection(password: password), id: 0, logger: logger)
            } catch {
                throw PostgresStoreError("cannot connect to PostgreSQL at \(target.host):\(target.port): \(Self.reason(error))")
            }
            defer { Task { try? await connection.close() } }
            var recovering = false
            for try await value in try await connection.query("SELECT pg_is_in_recovery()", logger: logger).decode(Bool.self) { recovering = value }
            return recovering
        }
        if recovering { throw PostgresStoreError("the PostgreSQL server is in recovery (a standby); point cluster.postgres at the primary") }
    }

    /// What went wrong connecting, in a line: the server's message, or the TLS or socket error.
    static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }

    /// A batch that PostgreSQL does not take within this long fails (the executor logs it and
    /// publishes anyway), so a bridge whose database is gone still answers, and stops on SIGTERM.
    static let writeTimeout = 5.0

    public func commit(_ batch: AuditBatch) async throws -> [Int64] {
        if batch.isEmpty { return [] }
        let (client, logger) = (self.client, self.logger)
        return try await Abandonable.within(Self.writeTimeout) {
            try await client.withTransaction(logger: logger) { c in try await PostgresBatch.write(batch, c, logger) }
        }
    }

    public func undelivered(limit: Int) async throws -> [AuditRecord] {
        try await records("SELECT \(unescaped: PostgresSchema.recordColumns) FROM audit WHERE NOT delivered ORDER BY id LIMIT \(limit)")
    }

    /// The newest `limit` records, returned oldest to newest, as on SQLite.
    public func history(lock: String, since: Date?, limit: Int) async throws -> [AuditRecord] {
        if limit <= 0 { return [] }
        let from = since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
        return try await records("""
            SELECT \(unescaped: PostgresSchema.recordColumns) FROM audit WHERE lock = \(lock) AND at >= \(from)
            ORDER BY at DESC, id DESC LIMIT \(limit)
            """).reversed()
    }

    private func records(_ query: PostgresQuery) async throws -> [AuditRecord] {
        var out: [AuditRecord] = []
        let rows = try await client.query(query, logger: logger)
        for try await (id, lock, category, topic, payload, at, epoch, seq, delivered) in rows.decode(
            (Int64, String, String, String, Data, Double, Int64?, Int64?, Bool).self)
        {
            out.append(AuditRecord(
                id: id, lock: lock, category: category, topic: topic, payload: Array(payload), at: Date(timeIntervalSince1970: at), epoch: epoch,
                seq: seq, delivered: delivered))
        }
        return out
    }

    public func counts() async throws -> AuditCounts {
        let rows = try await client.query(
            "SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM audit WHERE NOT delivered), (SELECT count(*) FROM request)", logger: logger)
        for try await (records, undelivered, requests) in rows.decode((Int64, Int64, Int64).self) {
            return AuditCounts(records: Int(records), undelivered: Int(undelivered), requests: Int(requests))
        }
        return AuditCounts(records: 0, undelivered: 0, requests: 0)
    }

    public func prune(now: Date, retention: TimeInterval, requestRetention: TimeInterval) async throws -> Int {
        let recordCutoff = now.addingTimeInterval(-retention).timeIntervalSince1970
        let requestCutoff = now.addingTimeInterval(-max(requestRetention, AuditStore.minimumRequestRetention)).timeIntervalSince1970
        var total = 0
        // In batches, each its own transaction, as on SQLite: a first prune after a long outage
        // must not hold up the bridges' appends.
        for (table, condition) in [
            ("audit", "id IN (SELECT id FROM audit WHERE delivered AND at < $1 LIMIT $2)"),
            ("request", "(lock, request_id) IN (SELECT lock, request_id FROM request WHERE at < $1 LIMIT $2)"),
            ("plan_request", "request_id IN (SELECT request_id FROM plan_request WHERE at < $1 LIMIT $2)"),
        ] {
            let cutoff = table == "audit" ? recordCutoff : requestCutoff
            while true {
                var bindings = PostgresBindings()
                bindings.append(cutoff)
                bindings.append(AuditStore.pruneBatchSize)
                let deleted = try await client.withConnection { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: "WITH gone AS (DELETE FROM \(table) WHERE \(condition) RETURNING 1) SELECT count(*) FROM gone", binds: bindings), logger: logger)
                        .decode(Int64.self).reduce(0, +)
                }
                total += Int(deleted)
                if deleted < AuditStore.pruneBatchSize { break }
            }
        }
        return total
    }

    public func lockStates() async throws -> [String: [UInt8]] {
        try await pairs("SELECT lock, state FROM lock_state")
    }

    public func lastSequences() async throws -> [String: (epoch: Int64, seq: Int64)] {
        var out: [String: (epoch: Int64, seq: Int64)] = [:]
        for try await (lock, epoch, seq) in try await client.query("SELECT lock, epoch, seq FROM lock_sequence", logger: logger).decode((String, Int64, Int64).self) {
            out[lock] = (epoch, seq)
        }
        return out
    }

    public func removedLocks() async throws -> Set<String> {
        var out = Set<String>()
        for try await lock in try await client.query("SELECT lock FROM removed_lock", logger: logger).decode(String.self) { out.insert(lock) }
        return out
    }

    public func rememberedResults(since: Date) async throws -> [AuditBatch.Result] {
        var out: [AuditBatch.Result] = []
        let rows = try await client.query("SELECT lock, request_id, result, at FROM request WHERE at >= \(since.timeIntervalSince1970)", logger: logger)
        for try await (lock, requestID, result, at) in rows.decode((String, String, Data, Double).self) {
            out.append(AuditBatch.Result(lock: lock, requestID: requestID, result: Array(result), at: Date(timeIntervalSince1970: at), final: true))
        }
        return out
    }

    public func result(lock: String, requestID: String) async throws -> [UInt8]? {
        let rows = try await client.query("SELECT result FROM request WHERE lock = \(lock) AND request_id = \(requestID)", logger: logger)
        for try await result in rows.decode(Data.self) { return Array(result) }
        return nil
    }

    public func bridgeEpoch() async throws -> Int64 {
        for try await epoch in try await client.query("SELECT epoch FROM bridge_epoch WHERE id = 1", logger: logger).decode(Int64.self) { return epoch }
        return 1
    }

    public func bridgeSequences() async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for try await (lock, seq) in try await client.query("SELECT lock, seq FROM bridge_sequence", logger: logger).decode((String, Int64).self) {
            out[lock] = seq
        }
        return out
    }

    public func plans() async throws -> [AuditStore.PlanRow] {
        var rows: [String: AuditStore.PlanRow] = [:]
        for try await (name, sealed) in try await client.query("SELECT name, sealed FROM plan", logger: logger).decode((String, Data).self) {
            rows[name] = AuditStore.PlanRow(name: name, sealed: Array(sealed), locks: [:])
        }
        for try await (plan, lock, state) in try await client.query("SELECT plan, lock, state FROM plan_lock", logger: logger).decode((String, String, Data).self) {
            rows[plan]?.locks[lock] = Array(state)
        }
        return rows.keys.sorted().map { rows[$0]! }
    }

    public func planRequests(since: Date) async throws -> [String: [UInt8]] {
        try await pairs("SELECT request_id, response FROM plan_request WHERE at >= \(since.timeIntervalSince1970)")
    }

    private func pairs(_ query: PostgresQuery) async throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for try await (key, value) in try await client.query(query, logger: logger).decode((String, Data).self) { out[key] = Array(value) }
        return out
    }
}

/// A bad `postgres://` setting; the message names the part at fault, never a password.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

