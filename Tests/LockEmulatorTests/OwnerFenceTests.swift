import Foundation
import JSON
import LockAPI
import LockCore
import MQTT
import Testing
import TestSupport

/// Fencing on the device link (spec 8): a lock obeys only its newest owner, and remembers which
/// that is across restarts and factory resets.
@Suite struct OwnerFenceTests {
    @Test func pairsAreComparedEpochFirst() {
        var fence = OwnerFence()
        #expect(fence.admit(epoch: 0, counter: 10) == .accepted)
        #expect(fence.admit(epoch: 0, counter: 10) == .replay)
        #expect(fence.admit(epoch: 2, counter: 5) == .accepted, "a new owner may start below the old counter")
        #expect(fence.admit(epoch: 1, counter: 99) == .staleOwner(held: 2))
        #expect(fence.admit(epoch: 0, counter: 1000) == .staleOwner(held: 2), "a bridge on its own is older than any owner")
        #expect(fence.admit(epoch: 2, counter: 4) == .replay)
        #expect(fence.admit(epoch: 2, counter: 6) == .accepted)
        #expect(fence == OwnerFence(epoch: 2, counter: 6))
    }

    @Test func aStaleOwnerActuatesNothingEvenAfterARestartOrAFactoryReset() async throws {
        let h = try await EmulatorHarness.start(["gate"])
        // The new owner claims the lock; the old one's unlock is answered stale_owner.
        #expect(try await h.ack(try await h.send("gate", .claim, counter: 100, ownerEpoch: 7))["status"]?.stringValue == "ok")
        let stale = try await h.ack(try await h.send("gate", .unlock, counter: 5000, ownerEpoch: 6))
        #expect(stale["error"]?.objectValue?["code"]?.stringValue == "stale_owner", "\(stale)")
        #expect(stale["owner_epoch"]?.intValue == 7)
        // A factory reset by the owner, then at once a crash and a start: the epoch, on disk
        // before the claim was acknowledged, is still held.
        _ = try await h.ack(try await h.send("gate", .factoryReset, counter: 101, ownerEpoch: 7))
        h.emulator?.send(SIGKILL)
        _ = try await h.emulator?.waitForExit()
        try await h.startEmulator()
        _ = try await h.state("gate", within: 10, "gate back") { _ in true }
        let after = try await h.ack(try await h.send("gate", .unlock, counter: 9000, ownerEpoch: 6))
        #expect(after["error"]?.objectValue?["code"]?.stringValue == "stale_owner", "\(after)")
        #expect(try await h.ack(try await h.send("gate", .unlock, counter: 102, ownerEpoch: 7))["status"]?.stringValue == "ok")
        let unlocks = h.allEvents("gate").filter { $0["event_type"]?.stringValue == "unlock" }
        #expect(unlocks.count == 1, "only the owner's unlock")
        #expect(h.emulator?.text.contains("dropped a request from a stale owner") == true)
        try await h.stop()
    }
}
