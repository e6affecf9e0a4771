@testable import AuditLog
import Foundation
import Testing

/// The bridge's own epoch and per-lock seq for the faults it raises (spec 3.3).
@Suite("Bridge event sequences")
struct BridgeSequenceStoreTests {
    private func bridgeEvent(_ lock: String, seq: Int64) -> AuditBatch.Event {
        AuditBatch.Event(
            lock: lock, category: "fault", topic: "lockbridge/\(lock)/event/fault", payload: Array(#"{"source":"bridge"}"#.utf8),
            at: Date(timeIntervalSince1970: 1_800_000_000), epoch: nil, seq: nil, bridgeSeq: seq)
    }

    @Test func theEpochIsFixedWhenTheDatabaseIsMadeAndKeptOnReopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("audit.sqlite")
        let epoch = try AuditStore(path: path).bridgeEpoch()
        let made = Date().timeIntervalSince1970 * 1000
        #expect(abs(Double(epoch) - made) < 60_000, "milliseconds since 1970 when the table was made")
        #expect(try AuditStore(path: path).bridgeEpoch() == epoch)
    }

    @Test func aBridgeEventRecordsItsSeqAndLeavesTheLocksSequenceAlone() throws {
        let store = try AuditStore.inMemory()
        try store.setLastSequence(lock: "front", epoch: 3, seq: 12)
        var batch = AuditBatch()
        batch.events = [bridgeEvent("front", seq: 1), bridgeEvent("front", seq: 2), bridgeEvent("back", seq: 5)]
        #expect(try store.commit(batch).count == 3)
        #expect(try store.bridgeSequences() == ["front": 2, "back": 5])
        let device = try #require(try store.lastSequence(lock: "front"))
        #expect(device.epoch == 3 && device.seq == 12)
        // Never backwards, and kept when the lock is removed.
        batch.events = [bridgeEvent("front", seq: 1)]
        batch.removed = [(lock: "front", at: Date())]
        _ = try store.commit(batch)
        #expect(try store.bridgeSequences()["front"] == 2)
        #expect(try store.lastSequence(lock: "front") == nil)
    }
}
