import AuditLog
import Foundation
import Logging
import PostgresStore
import Testing
import TestSupport

/// TLS to PostgreSQL (`sslmode` and `sslrootcert` in `cluster.postgres`, as for libpq), against a
/// private server that offers TLS with a certificate for 127.0.0.1 from its own test CA.
@Suite struct PostgresTLSTests {
    static func logger() -> Logger {
        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical
        return logger
    }

    /// The pool's and the shard keeper's sessions, as the server sees them: `t` for TLS.
    static func sessions(_ server: Postgres) throws -> [String] {
        try server.psql("""
            SELECT a.application_name || '=' || s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
            WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() ORDER BY 1
            """).split(separator: "\n").map(String.init)
    }

    @Test func verifyFullWithTheServersCAEncryptsThePoolAndTheShardConnection() async throws {
        let server = try await Postgres.start(tls: true)
        let url = "\(server.url)?sslmode=verify-full&sslrootcert=\(server.tlsDirectory.path)/ca.crt"
        let keeper = try ShardKeeper(url: url, password: nil, instance: "tls", takeover: 5, logger: Self.logger())
        let reports = SharedBox<[ShardHolding]>([])
        try await StoreSite.open(.postgres, place: url) { store in
            let ids = try await store.commit(.events(count: 3))
            #expect(ids.count == 3)
            #expect(try await store.history(lock: "front", since: nil, limit: 10).count == 3)
            let task = Task { await keeper.run { holding in reports.withLock { $0.append(holding) } } }
            defer { task.cancel() }
            try await waitUntil(20, "the keeper to hold every shard") { reports.withLock { $0.last?.mine.count } == ShardKeeper.shardCount }
            let sessions = try Self.sessions(server)
            #expect(sessions.contains("lockbridge-shards:tls=true"), "\(sessions)")
            #expect(sessions.count >= 2 && sessions.allSatisfy { $0.hasSuffix("=true") }, "a session without TLS: \(sessions)")
        }
        try await server.stop()
    }

    /// The check at start (`requirePrimary`) says why at once; the pool alone would wait forever.
    static func startError(_ url: String) async throws -> String {
        let store = try PostgresStore(url: url, password: nil, logger: logger())
        do {
            try await withDeadline(15, "the refusal") { try await store.requirePrimary() }
        } catch let error as PostgresStoreError {
            return error.description
        }
        Issue.record("\(url) was accepted")
        return ""
    }

    @Test func aCertificateFromAnotherCAIsRefusedAtOnceSayingWhy() async throws {
        let server = try await Postgres.start(tls: true)
        let started = ContinuousClock.now
        let error = try await Self.startError("\(server.url)?sslmode=verify-full&sslrootcert=\(server.tlsDirectory.path)/other-ca.crt")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error.contains("cannot connect to PostgreSQL at 127.0.0.1:\(server.port)") && error.contains("CERTIFICATE_VERIFY_FAILED"), "\(error)")
        #expect(try Self.sessions(server).isEmpty)
        try await server.stop()
    }

    @Test func requireRefusesAServerWithoutTLSAndPreferFallsBack() async throws {
        let server = try await Postgres.start()
        let error = try await Self.startError("\(server.url)?sslmode=require")
        #expect(error.contains("cannot connect to PostgreSQL"), "\(error)")
        // libpq's default, `prefer`: encrypted where offered, plain otherwise.
        #expect(try await StoreSite.open(.postgres, place: server.url) { try await $0.counts().records } == 0)
        #expect(try await StoreSite.open(.postgres, place: "\(server.url)?sslmode=disable") { try await $0.counts().records } == 0)
        try await server.stop()
    }

    @Test(arguments: [
        ("postgres://lb@db/lb?sslmode=always", "sslmode must be one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://lb@db/lb?sslrootcert=/nonexistent/ca.crt", "sslrootcert /nonexistent/ca.crt is not a readable file"),
        ("postgres://lb@db/lb?ssl=true", "unknown parameter \"ssl\" (known: sslmode, sslrootcert)"),
    ])
    func badTLSParametersAreNamed(_ url: String, _ message: String) {
        #expect {
            _ = try PostgresStore(url: url, password: nil, logger: Self.logger())
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
