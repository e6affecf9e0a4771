import AuditLog
import Foundation
import Logging
import PostgresStore
import TestSupport

/// The two stores behind ``BridgeStore``; every contract test runs on both (spec 8).
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// Where one test's data lives: a SQLite file in a temporary directory, or a private PostgreSQL
/// server (``Postgres``) started for the test and stopped by its PID at the end.
final class StoreSite: Sendable {
    let backend: Backend
    let directory: URL
    let server: Postgres?

    static func make(_ backend: Backend) async throws -> StoreSite {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("StoreTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return StoreSite(backend, directory, backend == .postgres ? try await Postgres.start() : nil)
    }

    private init(_ backend: Backend, _ directory: URL, _ server: Postgres?) {
        (self.backend, self.directory, self.server) = (backend, directory, server)
    }

    var sqlitePath: String { directory.appendingPathComponent("store.sqlite").path }

    /// Opens the store (again), runs `body` with it, and closes it.
    func withStore<T: Sendable>(_ body: @Sendable (any BridgeStore) async throws -> T) async throws -> T {
        try await Self.open(backend, place: server?.url ?? sqlitePath, body)
    }

    /// Opens the store at `place` (a SQLite path or a PostgreSQL URL), migrated, for `body`.
    static func open<T: Sendable>(_ backend: Backend, place: String, _ body: @Sendable (any BridgeStore) async throws -> T) async throws -> T {
        guard backend == .postgres else { return try await body(SQLiteStore(try AuditStore(path: place))) }
        var logger = Logger(label: "store-test")
        logger.logLevel = .warning
        let store = try PostgresStore(url: place, password: nil, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await store.run()
                return nil
            }
            defer { group.cancelAll() }
            try await store.migrate()
            return try await body(store)
        }
    }

    func stop() async throws {
        try await server?.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A fixed base time, exactly representable as seconds since 1970.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

extension AuditBatch {
    /// A batch of `count` access events for `lock`, with seqs from `firstSeq`.
    static func events(_ lock: String = "front", count: Int, firstSeq: Int64 = 1, at: Date = t0) -> AuditBatch {
        var batch = AuditBatch()
        for i in 0..<count {
            let seq = firstSeq + Int64(i)
            batch.events.append(AuditBatch.Event(
                lock: lock, category: "access", topic: "lockbridge/\(lock)/event/access", payload: Array(#"{"n":\#(seq)}"#.utf8),
                at: at.addingTimeInterval(Double(i)), epoch: 1, seq: seq))
        }
        return batch
    }
}
