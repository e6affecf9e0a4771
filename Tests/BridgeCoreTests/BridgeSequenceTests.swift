import Foundation
import JSON
import LockAPI
import LockCore
import Testing

@testable import BridgeCore

/// Faults the bridge raises itself are numbered in the bridge's persisted epoch, per lock, so
/// every event is unique by (source, epoch, seq) (spec 3.3).
@Suite struct BridgeSequenceTests {
    /// (source, epoch, seq) of each fault event in `effects`.
    private func numbers(_ effects: [BridgeEffect]) -> [(source: String?, epoch: Int64?, seq: Int64?)] {
        effects.events.filter { $0.category == "fault" }.compactMap { e in
            guard let o = try? JSON.parseObject(e.payload) else { return nil }
            return (o["source"]?.stringValue, o["epoch"]?.intValue, o["seq"]?.intValue)
        }
    }

    @Test func bridgeFaultsCarrySourceEpochAndARisingSeq() {
        var h = CoreHarness(stored: StoredState(bridgeEpoch: 1_790_000_000))
        h.connect()
        h.report("door")
        let raised = h.act("door", .overrideKey)
        let cleared = h.command("door", #"{"command":"ack_fault","fault":"override_used"}"#)
        let all = numbers(raised) + numbers(cleared)
        #expect(all.count == 2)
        #expect(all.allSatisfy { $0.source == "bridge" && $0.epoch == 1_790_000_000 })
        #expect(all.map(\.seq) == [1, 2])
        // The audit effect carries the seq for the store, and no device sequence.
        let audited = raised.events.first { $0.category == "fault" }
        #expect(audited?.bridgeSeq == 1 && audited?.epoch == nil && audited?.seq == nil)
    }

    @Test func theSeqGoesOnAfterARestartAndAfterRemoval() {
        var first = CoreHarness()
        first.connect()
        first.report("door")
        first.act("door", .overrideKey)
        guard case .save(let saved) = first.handle(.save(all: true)).first else {
            Issue.record("no save effect")
            return
        }
        // The store hands back the last bridge seq written with the event (1).
        let stored = StoredState(
            locks: Dictionary(uniqueKeysWithValues: saved.map { ($0.lock.rawValue, $0.state) }), bridgeEpoch: 7, bridgeSequences: ["door": 1])
        var second = CoreHarness(stored: stored)
        second.connect()
        second.locks["door"] = first.locks["door"]
        let ack = second.command("door", #"{"command":"ack_fault","fault":"override_used"}"#)
        #expect(numbers(ack).map(\.seq) == [2] && numbers(ack).first?.epoch == 7)

        // A lock the store knows only by its bridge seq (removed earlier) starts above it.
        var third = CoreHarness(stored: StoredState(bridgeEpoch: 7, bridgeSequences: ["door": 40]))
        third.connect()
        third.report("door")
        #expect(numbers(third.act("door", .overrideKey)).map(\.seq) == [41])
    }
}
