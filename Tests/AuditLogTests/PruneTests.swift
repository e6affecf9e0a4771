@testable import AuditLog
import Foundation
import Testing

@Suite("Prune")
struct PruneTests {
    @Test func removesOldDeliveredRecordsAndNeverUndeliveredOnes() throws {
        let store = try AuditStore.inMemory()
        let oldDelivered = try store.appendEvent(0, seconds: 0)
        let oldUndelivered = try store.appendEvent(1, seconds: 0)
        let newDelivered = try store.appendEvent(2, seconds: 100)
        let newUndelivered = try store.appendEvent(3, seconds: 100)
        try store.markDelivered([oldDelivered, newDelivered])

        #expect(try store.prune(now: t0.addingTimeInterval(110), retention: 50, requestRetention: 0) == 1)
        #expect(try store.history(lock: "front", since: nil, limit: 10).map(\.n) == [1, 2, 3])
        #expect(try store.undelivered(limit: 10).map(\.id) == [oldUndelivered, newUndelivered])

        // Even a retention of zero far in the future leaves the outbox alone.
        #expect(try store.prune(now: t0.addingTimeInterval(1e9), retention: 0, requestRetention: 0) == 1)
        #expect(try store.undelivered(limit: 10).map(\.id) == [oldUndelivered, newUndelivered])
        #expect(try store.counts() == AuditCounts(records: 2, undelivered: 2, requests: 0))
    }

    @Test func recordsExactlyAtTheCutoffStay() throws {
        let store = try AuditStore.inMemory()
        let id = try store.appendEvent(0, seconds: 0)
        try store.markDelivered(id)
        #expect(try store.prune(now: t0.addingTimeInterval(60), retention: 60, requestRetention: 0) == 0)
        #expect(try store.prune(now: t0.addingTimeInterval(61), retention: 60, requestRetention: 0) == 1)
    }

    @Test func deletesMoreThanOneBatch() throws {
        let store = try AuditStore.inMemory()
        let total = AuditStore.pruneBatch * 2 + 17
        let ids = try (0..<total).map { try store.appendEvent($0) }
        try store.markDelivered(ids)
        let kept = try store.appendEvent(total)

        #expect(try store.prune(now: t0.addingTimeInterval(10), retention: 1, requestRetention: 0) == total)
        #expect(try store.counts() == AuditCounts(records: 1, undelivered: 1, requests: 0))
        #expect(try store.undelivered(limit: 10).map(\.id) == [kept])
    }
}
