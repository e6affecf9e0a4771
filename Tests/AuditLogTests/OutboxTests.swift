@testable import AuditLog
import Foundation
import Testing

@Suite("Outbox: append, undelivered, markDelivered")
struct OutboxTests {
    @Test func appendReturnsIncreasingIDsAndStoresEveryField() throws {
        let store = try AuditStore.inMemory()
        let at = t0.addingTimeInterval(0.25)
        let first = try store.append(
            lock: "front", category: "fault", topic: "lockbridge/front/fault",
            payload: [0x7B, 0x7D], at: at, epoch: 7, seq: 42)
        let second = try store.append(
            lock: "back", category: "system", topic: "lockbridge/bridge/event", payload: [],
            at: at, epoch: nil, seq: nil)
        #expect(second > first)

        let records = try store.undelivered(limit: 10)
        #expect(records == [
            AuditRecord(
                id: first, lock: "front", category: "fault", topic: "lockbridge/front/fault",
                payload: [0x7B, 0x7D], at: at, epoch: 7, seq: 42, delivered: false),
            AuditRecord(
                id: second, lock: "back", category: "system", topic: "lockbridge/bridge/event",
                payload: [], at: at, epoch: nil, seq: nil, delivered: false),
        ])
    }

    @Test func undeliveredIsInAppendOrderAndSkipsDeliveredOnes() throws {
        let store = try AuditStore.inMemory()
        // Event times run backwards, to show the outbox orders by append, not by event time.
        let ids = try (0..<5).map { try store.appendEvent($0, seconds: Double(-$0)) }
        try store.markDelivered(ids[1])
        try store.markDelivered([ids[3]])

        #expect(try store.undelivered(limit: 10).map(\.id) == [ids[0], ids[2], ids[4]])
        #expect(try store.undelivered(limit: 2).map(\.id) == [ids[0], ids[2]])
        #expect(try store.undelivered(limit: 0).isEmpty)
    }

    @Test func markDeliveredIsIdempotentAndIgnoresUnknownIDs() throws {
        let store = try AuditStore.inMemory()
        let ids = try (0..<3).map { try store.appendEvent($0) }
        try store.markDelivered(ids[0])
        try store.markDelivered(ids[0])
        try store.markDelivered([ids[0], ids[1], ids[1], 9_999])
        try store.markDelivered([])

        #expect(try store.undelivered(limit: 10).map(\.id) == [ids[2]])
        #expect(try store.counts() == AuditCounts(records: 3, undelivered: 1, requests: 0))
        let history = try store.history(lock: "front", since: nil, limit: 10)
        #expect(history.map(\.delivered) == [true, true, false])
    }

    @Test func idsStayMonotonicAfterTheNewestRecordIsPruned() throws {
        let store = try AuditStore.inMemory()
        let ids = try (0..<3).map { try store.appendEvent($0) }
        try store.markDelivered(ids)
        #expect(try store.prune(now: t0.addingTimeInterval(10), retention: 1, requestRetention: 0) == 3)

        let next = try store.appendEvent(3)
        #expect(next > ids[2])
    }

    @Test func concurrentAppendsGetDistinctIDsAndAllReachTheOutbox() async throws {
        let directory = try TemporaryDirectory()
        let store = try AuditStore(path: directory.path("audit.sqlite"))
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<4 {
                group.addTask {
                    try (0..<250).map { try store.appendEvent(lock: "lock-\(task)", task * 1_000 + $0) }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(ids).count == 1_000)
        let pending = try store.undelivered(limit: 2_000)
        #expect(pending.map(\.id) == ids.sorted())
        // Each task's records keep their own order within the shared outbox.
        for task in 0..<4 {
            let mine = pending.filter { $0.lock == "lock-\(task)" }.compactMap(\.n)
            #expect(mine == Array(task * 1_000..<task * 1_000 + 250))
        }
    }

    @Test func undeliveredSurvivesClosingAndReopening() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("audit.sqlite")
        var ids: [Int64] = []
        do {
            let store = try AuditStore(path: path)
            ids = try (0..<6).map { try store.appendEvent($0) }
            try store.markDelivered([ids[0], ids[4]])
        }
        // The first store is gone: this is the bridge starting again.
        let reopened = try AuditStore(path: path)
        let pending = try reopened.undelivered(limit: 100)
        #expect(pending.map(\.id) == [ids[1], ids[2], ids[3], ids[5]])
        #expect(pending.map(\.n) == [1, 2, 3, 5])

        try reopened.markDelivered(pending.map(\.id))
        #expect(try reopened.undelivered(limit: 100).isEmpty)
        #expect(try reopened.appendEvent(6) > ids[5])
    }

    /// kill -9 leaves the files exactly as the OS holds them: committed transactions sit in
    /// the write-ahead log, nothing was closed or checkpointed. Copying the files while the
    /// first store is still open and busy reproduces that state without killing the test.
    @Test func undeliveredRecordsSurviveACrashInOrderWithNoneLostOrDuplicated() throws {
        let directory = try TemporaryDirectory()
        let live = directory.path("live/audit.sqlite")
        let crashed = directory.path("crashed/audit.sqlite")
        let store = try AuditStore(path: live)

        var expected: [Int64] = []
        for n in 0..<500 {
            let id = try store.appendEvent(lock: "lock-\(n % 7)", n)
            // Acknowledge about two thirds, the way PUBACKs would come in.
            if n % 3 == 0 { expected.append(id) } else { try store.markDelivered(id) }
        }

        try FileManager.default.createDirectory(
            atPath: directory.path("crashed"), withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: live + suffix) {
            try FileManager.default.copyItem(atPath: live + suffix, toPath: crashed + suffix)
        }
        #expect(FileManager.default.fileExists(atPath: crashed + "-wal"))

        let restarted = try AuditStore(path: crashed)
        let replay = try restarted.undelivered(limit: 10_000)
        #expect(replay.map(\.id) == expected)
        #expect(Set(replay.map(\.id)).count == replay.count)
        #expect(replay.map(\.n) == Array(stride(from: 0, to: 500, by: 3)))
        #expect(try restarted.counts() == AuditCounts(records: 500, undelivered: expected.count, requests: 0))
        withExtendedLifetime(store) {}
    }
}
