@testable import AuditLog
import Foundation
import Testing

@Suite("History")
struct HistoryTests {
    /// Ten records of "front" at t0+0…9 s, interleaved with records of "back" at the same times.
    func storeWithTwoLocks() throws -> AuditStore {
        let store = try AuditStore.inMemory()
        for n in 0..<10 {
            try store.appendEvent(lock: "front", n, seconds: Double(n))
            try store.appendEvent(lock: "back", 100 + n, seconds: Double(n))
        }
        return store
    }

    @Test func filtersByLockAndReturnsOldestToNewest() throws {
        let store = try storeWithTwoLocks()
        #expect(try store.history(lock: "front", since: nil, limit: 100).map(\.n) == Array(0..<10))
        #expect(try store.history(lock: "back", since: nil, limit: 100).map(\.n) == Array(100..<110))
        #expect(try store.history(lock: "side", since: nil, limit: 100).isEmpty)
    }

    @Test func limitKeepsTheNewest() throws {
        let store = try storeWithTwoLocks()
        #expect(try store.history(lock: "front", since: nil, limit: 3).map(\.n) == [7, 8, 9])
        #expect(try store.history(lock: "front", since: nil, limit: 0).isEmpty)
    }

    @Test func sinceIsInclusive() throws {
        let store = try storeWithTwoLocks()
        let since = t0.addingTimeInterval(6)
        #expect(try store.history(lock: "front", since: since, limit: 100).map(\.n) == [6, 7, 8, 9])
        #expect(try store.history(lock: "front", since: since, limit: 2).map(\.n) == [8, 9])
        let afterAll = t0.addingTimeInterval(9.5)
        #expect(try store.history(lock: "front", since: afterAll, limit: 100).isEmpty)
    }

    @Test func ordersByEventTimeThenAppendOrder() throws {
        let store = try AuditStore.inMemory()
        try store.appendEvent(0, seconds: 10)
        try store.appendEvent(1, seconds: 20)
        // A backlog the device sends after reconnecting: older events, appended later.
        try store.appendEvent(2, seconds: 5)
        try store.appendEvent(3, seconds: 10)

        #expect(try store.history(lock: "front", since: nil, limit: 10).map(\.n) == [2, 0, 3, 1])
        #expect(try store.history(lock: "front", since: nil, limit: 2).map(\.n) == [3, 1])
        let since = t0.addingTimeInterval(10)
        #expect(try store.history(lock: "front", since: since, limit: 10).map(\.n) == [0, 3, 1])
    }

    @Test func reportsDeliveryStateAndDatesBeforeNineteenSeventy() throws {
        let store = try AuditStore.inMemory()
        let old = Date(timeIntervalSince1970: -86_400)
        let id = try store.append(
            lock: "front", category: "access", topic: "t", payload: [1], at: old, epoch: nil,
            seq: nil)
        try store.appendEvent(1)
        try store.markDelivered(id)

        let history = try store.history(lock: "front", since: nil, limit: 10)
        #expect(history.map(\.at) == [old, t0])
        #expect(history.map(\.delivered) == [true, false])
        #expect(try store.history(lock: "front", since: old, limit: 10).count == 2)
    }
}
