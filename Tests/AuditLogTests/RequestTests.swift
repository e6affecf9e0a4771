@testable import AuditLog
import Foundation
import Testing

@Suite("Command dedupe")
struct RequestTests {
    let hour: TimeInterval = 3_600

    @Test func aRepeatedRequestKeepsTheOriginalResult() throws {
        let store = try AuditStore.inMemory()
        #expect(try store.result(lock: "front", requestID: "r1") == nil)
        #expect(try store.remember(lock: "front", requestID: "r1", result: Array("ok".utf8), at: t0))
        #expect(try !store.remember(lock: "front", requestID: "r1", result: Array("no".utf8), at: t0))
        #expect(try store.result(lock: "front", requestID: "r1") == Array("ok".utf8))
        // The same id from another lock is another request.
        #expect(try store.remember(lock: "back", requestID: "r1", result: [], at: t0))
        #expect(try store.result(lock: "back", requestID: "r1") == [])
        #expect(try store.counts().requests == 2)
    }

    @Test func survivesReopening() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("audit.sqlite")
        do {
            let store = try AuditStore(path: path)
            #expect(try store.remember(lock: "front", requestID: "r1", result: [1, 2], at: t0))
        }
        let reopened = try AuditStore(path: path)
        #expect(try reopened.result(lock: "front", requestID: "r1") == [1, 2])
        #expect(try !reopened.remember(lock: "front", requestID: "r1", result: [3], at: t0))
    }

    @Test func pruneKeepsIDsYoungerThanADayWhateverTheRetentionAsked() throws {
        let store = try AuditStore.inMemory()
        let now = t0
        try #require(try store.remember(lock: "front", requestID: "23h", result: [1], at: now - 23 * hour))
        try #require(try store.remember(lock: "front", requestID: "25h", result: [2], at: now - 25 * hour))
        try #require(try store.remember(lock: "front", requestID: "49h", result: [3], at: now - 49 * hour))

        // Asked for 48 h: the 49 h old one goes.
        #expect(try store.prune(now: now, retention: 0, requestRetention: 48 * hour) == 1)
        #expect(try store.result(lock: "front", requestID: "25h") == [2])
        // Asked for a minute: 24 h still applies, so only the 25 h old one goes.
        #expect(try store.prune(now: now, retention: 0, requestRetention: 60) == 1)
        #expect(try store.result(lock: "front", requestID: "23h") == [1])
        #expect(try store.result(lock: "front", requestID: "25h") == nil)
        #expect(try store.result(lock: "front", requestID: "49h") == nil)
        // A pruned id is unknown again.
        #expect(try store.remember(lock: "front", requestID: "25h", result: [4], at: now))
    }
}
