import Foundation
import GRDB

/// The bridge's SQLite store: outbox and audit log, command dedupe, device sequences and
/// per-lock state.
///
/// Every method is synchronous and blocks on SQLite; one serial connection orders all writes.
/// A write returns after its transaction committed to the write-ahead log, which survives a
/// crash of the process (kill -9). With `synchronous=NORMAL` a power loss may still lose the
/// last transactions, which SQLite documents as the usual trade for WAL mode.
public final class AuditStore: Sendable {
    let queue: DatabaseQueue

    private init(queue: DatabaseQueue) throws(AuditStoreError) {
        self.queue = queue
        do {
            try AuditSchema.migrator.migrate(queue)
        } catch {
            throw AuditStoreError("migrating the audit database at \(queue.path)", error)
        }
    }

    /// Opens (creating if needed) the database at `path` (WAL mode, synchronous=NORMAL; migrations with GRDB's DatabaseMigrator).
    public convenience init(path: String) throws(AuditStoreError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AuditStoreError(
                "creating the directory \(directory.path) for the audit database at \(path)", error)
        }
        var configuration = Configuration()
        // GRDB's WAL setup also sets synchronous=NORMAL: a commit is then a write to the log
        // without fsync, which keeps appends fast and is still safe against a process crash.
        configuration.journalMode = .wal
        // An operator's sqlite3 shell or a checkpoint can hold the lock briefly; wait for it
        // rather than fail the append.
        configuration.busyMode = .timeout(5)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw AuditStoreError("opening the audit database at \(path)", error)
        }
        try self.init(queue: queue)
    }

    /// In-memory store for unit tests of other modules.
    public static func inMemory() throws(AuditStoreError) -> AuditStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue()
        } catch {
            throw AuditStoreError("opening an in-memory audit database", error)
        }
        return try AuditStore(queue: queue)
    }
}

extension AuditStore {
    /// Runs `body` in one write transaction, wrapping any failure with what was being done.
    func writing<T>(
        _ doing: @autoclosure () -> String, _ body: (Database) throws -> T
    ) throws(AuditStoreError) -> T {
        do {
            return try queue.write(body)
        } catch {
            throw AuditStoreError(doing(), error)
        }
    }

    /// Runs `body` in one read transaction, wrapping any failure with what was being done.
    func reading<T>(
        _ doing: @autoclosure () -> String, _ body: (Database) throws -> T
    ) throws(AuditStoreError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw AuditStoreError(doing(), error)
        }
    }
}
