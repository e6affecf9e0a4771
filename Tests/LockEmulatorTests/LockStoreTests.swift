import Foundation
import LockCore
import Testing
@testable import LockEmulator

/// The store never lets an older copy of a lock win over a newer one: the ticker's periodic
/// save and the urgent save of a used-up one-time code run on different tasks.
@Suite struct LockStoreTests {
    @Test func anOlderGenerationIsNeverWrittenOverANewerOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockstore-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try LockStore(directory: directory.path)
        var older = EmulatedLock(lock: Lock(salt: Array(0..<16), hasher: CodeHasher(iterations: 2)))
        older.generation = 3
        older.fence = OwnerFence(counter: 30)
        var newer = older
        newer.generation = 4
        newer.fence = OwnerFence(counter: 40)
        try store.save("door", newer)
        try store.save("door", older)
        #expect(try store.load("door", uncleanStop: false) { Issue.record("the saved lock was not found"); return older.lock }.fence == OwnerFence(counter: 40))
        newer.generation = 5
        newer.fence = OwnerFence(epoch: 2, counter: 50)
        try store.save("door", newer)
        #expect(try store.load("door", uncleanStop: false) { older.lock }.fence == OwnerFence(epoch: 2, counter: 50))
    }

    /// After a restart the emulator's lock time starts from the wall clock again (under
    /// --time-scale it was far ahead); each lock's clock goes on from where it stood instead.
    @Test func aLocksClockNeverRunsBackAcrossARestart() {
        let saved = Date(timeIntervalSince1970: 1_900_000_000)
        var lock = Lock(salt: Array(0..<16), hasher: CodeHasher(iterations: 2))
        _ = lock.handle(.tick, now: saved)
        var entry = EmulatedLock(lock: lock)
        let restarted = saved.addingTimeInterval(-36_000)
        entry.continueClock(from: restarted)
        #expect(entry.time(restarted) == saved)
        var ahead = EmulatedLock(lock: lock)
        ahead.continueClock(from: saved.addingTimeInterval(60))  // the emulator's time is ahead: nothing moves
        #expect(ahead.clockOffset == nil)
    }
}
