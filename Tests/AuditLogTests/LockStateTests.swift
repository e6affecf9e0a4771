@testable import AuditLog
import Foundation
import Testing

@Suite("Device sequences and per-lock state")
struct LockStateTests {
    @Test func lastSequenceIsReplacedBySetLastSequence() throws {
        let store = try AuditStore.inMemory()
        #expect(try store.lastSequence(lock: "front") == nil)
        try store.setLastSequence(lock: "front", epoch: 1, seq: 10)
        try store.setLastSequence(lock: "back", epoch: 5, seq: 0)
        try store.setLastSequence(lock: "front", epoch: 2, seq: 3)

        let front = try #require(try store.lastSequence(lock: "front"))
        #expect(front.epoch == 2 && front.seq == 3)
        let back = try #require(try store.lastSequence(lock: "back"))
        #expect(back.epoch == 5 && back.seq == 0)
    }

    @Test func lockStatesAreReplacedPerLock() throws {
        let store = try AuditStore.inMemory()
        #expect(try store.lockStates().isEmpty)
        try store.saveLockState(lock: "front", state: Array(#"{"v":1}"#.utf8))
        try store.saveLockState(lock: "back", state: [])
        try store.saveLockState(lock: "front", state: Array(#"{"v":2}"#.utf8))
        #expect(try store.lockStates() == ["front": Array(#"{"v":2}"#.utf8), "back": []])
    }

    @Test func saveLockStatesStoresABatchInOneGo() throws {
        let store = try AuditStore.inMemory()
        try store.saveLockState(lock: "front", state: [1])
        try store.saveLockStates([])
        try store.saveLockStates([(lock: "front", state: [2]), (lock: "back", state: [3])])
        #expect(try store.lockStates() == ["front": [2], "back": [3]])
    }

    @Test func appendSequencedRecordsTheEventAndItsSequenceTogether() throws {
        let store = try AuditStore.inMemory()
        let first = try store.appendSequenced(
            lock: "front", category: "access", topic: "lockbridge/front/event/access", payload: Array(#"{"n":1}"#.utf8),
            at: t0, epoch: 3, seq: 41)
        let second = try store.appendSequenced(
            lock: "front", category: "access", topic: "lockbridge/front/event/access", payload: Array(#"{"n":2}"#.utf8),
            at: t0, epoch: 3, seq: 42)
        #expect(second > first)
        let last = try #require(try store.lastSequence(lock: "front"))
        #expect(last.epoch == 3 && last.seq == 42)
        #expect(try store.undelivered(limit: 10).map(\.id) == [first, second])
        #expect(try store.history(lock: "front", since: nil, limit: 10).map(\.n) == [1, 2])
    }

    @Test func removeLockForgetsStateAndSequenceButNotHistory() throws {
        let store = try AuditStore.inMemory()
        try store.saveLockState(lock: "front", state: [1])
        try store.saveLockState(lock: "back", state: [2])
        try store.setLastSequence(lock: "front", epoch: 1, seq: 1)
        try store.setLastSequence(lock: "back", epoch: 1, seq: 2)
        try store.appendEvent(lock: "front", 0)

        try store.removeLock("front")
        try store.removeLock("never-seen")

        #expect(try store.lockStates() == ["back": [2]])
        #expect(try store.lastSequence(lock: "front") == nil)
        #expect(try store.lastSequence(lock: "back")?.seq == 2)
        #expect(try store.history(lock: "front", since: nil, limit: 10).map(\.n) == [0])
    }

    @Test func stateAndSequenceSurviveReopening() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("audit.sqlite")
        do {
            let store = try AuditStore(path: path)
            try store.saveLockState(lock: "front", state: [1, 2, 3])
            try store.setLastSequence(lock: "front", epoch: 9, seq: 99)
        }
        let reopened = try AuditStore(path: path)
        #expect(try reopened.lockStates() == ["front": [1, 2, 3]])
        #expect(try reopened.lastSequence(lock: "front")?.seq == 99)
    }
}
