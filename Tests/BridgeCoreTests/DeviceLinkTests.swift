@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Snapshots, heartbeats, availability and the ordering of device events, without a broker.
@Suite struct DeviceLinkTests {
    @Test func aFirstLiveSnapshotBringsTheLockOnlineWithStateBatteryAndCredentials() {
        var h = CoreHarness()
        let out = h.report("door")
        let topics = out.publications.map(\.topic)
        #expect(topics.contains("lockbridge/door/availability"))
        #expect(out.publications.first { $0.topic == "lockbridge/door/availability" }?.text == "online")
        #expect(topics.contains("lockbridge/door/state") && topics.contains("lockbridge/door/alert/battery") && topics.contains("lockbridge/door/credentials"))
        let state = out.json("lockbridge/door/state").last!
        #expect(state["lock"]?.stringValue == "locked")
        #expect(state["access"]?.objectValue?["mechanical_key"]?.objectValue?["usable"]?.boolValue == true)
        // A new lock with no credentials: only the key and the override key work.
        #expect(out.faultChanges == ["+lockout_risk"] || out.faultChanges.isEmpty)
    }

    @Test func aRetainedSnapshotFromAGoneEmulatorLeavesTheLockOffline() {
        var h = CoreHarness()
        h.handle(.emulatorStatus(instance: "emu-1", online: false))
        let out = h.report("door", retained: true)
        #expect(out.publications.first { $0.topic == "lockbridge/door/availability" }?.text == "offline")
        #expect(out.faultChanges.contains("+lock_offline"))
    }

    @Test func silenceMakesALockOfflineAndAHeartbeatBringsItBack() {
        var h = CoreHarness()
        h.report("door")
        h.advance(2)
        #expect(h.handle(.tick).publications.filter { $0.topic.hasPrefix("lockbridge/door/") }.isEmpty)
        h.advance(2)
        let offline = h.handle(.tick)
        #expect(offline.publications.first { $0.topic == "lockbridge/door/availability" }?.text == "offline")
        #expect(offline.faultChanges.contains("+lock_offline"))
        let state = offline.json("lockbridge/door/state").last!
        #expect(state["access"]?.objectValue?["remote"]?.objectValue?["reason"]?.stringValue == "lock_offline")
        let back = h.handle(.deviceHeartbeat(LockID("door")!))
        #expect(back.publications.first { $0.topic == "lockbridge/door/availability" }?.text == "online")
        #expect(back.faultChanges.contains("-lock_offline"))
    }

    @Test func eventsArePublishedInSeqOrderAndDuplicatesDropped() {
        var h = CoreHarness()
        h.report("door")
        var lock = h.locks["door"]!
        var payloads: [[UInt8]] = []
        for turn in [true, false, true] {
            for case .event(let event) in lock.handle(.key(turn ? .unlock : .lock), now: h.now) { payloads.append(CoreHarness.devicePayload(event)) }
        }
        h.locks["door"] = lock
        let id = LockID("door")!
        // 3 arrives first: held until 1 and 2 are in.
        #expect(h.handle(.deviceEvent(id, payload: payloads[2])).events.isEmpty)
        #expect(h.handle(.deviceEvent(id, payload: payloads[0])).events.map(\.seq) == [1])
        #expect(h.handle(.deviceEvent(id, payload: payloads[1])).events.map(\.seq) == [2, 3])
        #expect(h.handle(.deviceEvent(id, payload: payloads[1])).events.isEmpty)
        #expect(h.machineCounters.duplicateEvents == 1)
    }

    @Test func aGapIsAskedForThenGivenUpOn() {
        var h = CoreHarness()
        h.report("door")
        var lock = h.locks["door"]!
        var payloads: [[UInt8]] = []
        for turn in [true, false] {
            for case .event(let event) in lock.handle(.key(turn ? .unlock : .lock), now: h.now) { payloads.append(CoreHarness.devicePayload(event)) }
        }
        let id = LockID("door")!
        h.handle(.deviceEvent(id, payload: payloads[1]))
        h.advance(0.5)
        let resend = h.handle(.tick).publications.filter { $0.topic == "lockdev/door/resend" }
        #expect(resend.count == 1)
        #expect(resend[0].signature != nil)
        #expect((try? JSON.parseObject(resend[0].payload))?["from_seq"]?.intValue == 1)
        h.advance(6)
        let gaveUp = h.handle(.tick)
        #expect(gaveUp.events.filter { $0.category == "access" }.map(\.seq) == [2])
        #expect(h.machineCounters.sequenceGaps == 1)
    }

    /// Found under ThreadSanitizer, where a busy lock answered no resend: events lost at the tail
    /// (the snapshot is ahead, nothing early is held) were given up on at every tick after the
    /// first, since the tick kept a record only when it had effects. Given up once, counted once.
    @Test func aGapAtTheTailIsGivenUpOnOnce() {
        var h = CoreHarness()
        h.report("door")
        let id = LockID("door")!
        let now = h.now
        h.report("door") { lock in
            for turn in [true, false] { _ = lock.handle(.key(turn ? .unlock : .lock), now: now) }
        }
        h.advance(0.5)
        #expect(h.handle(.tick).publications.filter { $0.topic == "lockdev/door/resend" }.count == 1)
        // Heartbeats keep it online, so the ticks have nothing else to publish.
        h.advance(3)
        h.handle(.deviceHeartbeat(id))
        h.handle(.tick)
        h.advance(3)
        h.handle(.deviceHeartbeat(id))
        h.handle(.tick)
        #expect(h.machineCounters.sequenceGaps == 1)
        for _ in 0..<5 {
            h.advance(0.1)
            h.handle(.deviceHeartbeat(id))
            #expect(h.handle(.tick).publications.filter { $0.topic == "lockdev/door/resend" }.isEmpty)
        }
        #expect(h.machineCounters.sequenceGaps == 1)
        // The bridge is caught up: the next event goes out at once.
        var lock = h.locks["door"]!
        var next: [UInt8] = []
        for case .event(let event) in lock.handle(.key(.unlock), now: h.now) { next = CoreHarness.devicePayload(event) }
        #expect(h.handle(.deviceEvent(id, payload: next)).events.map(\.seq) == [3])
    }

    /// Found by the device fuzz target: an event without `event_type` was audited and published
    /// as it came, and no client could read it.
    @Test func anEventClientsCannotReadIsCountedNotPublished() {
        var h = CoreHarness()
        h.report("door")
        let broken = #"{"v":2,"category":"access","evente_ytp":"unlock","method":"keypad","seq":1,"epoch":1,"at":"2027-01-15T08:00:00.000Z"}"#
        #expect(h.handle(.deviceEvent(LockID("door")!, payload: Array(broken.utf8))).events.isEmpty)
        #expect(h.machineCounters.badDeviceMessages == 1)
    }

    @Test func anUnreadableSnapshotIsCountedAndChangesNothing() {
        var h = CoreHarness()
        #expect(h.handle(.deviceState(LockID("door")!, payload: Array(#"{"v":1}"#.utf8), retained: false)).isEmpty)
        #expect(h.machineCounters.badDeviceMessages == 1)
    }

    @Test func theEmulatorsLastWillTakesItsLocksOffline() {
        var h = CoreHarness()
        h.report("a")
        h.report("b")
        let out = h.handle(.emulatorStatus(instance: "emu-1", online: false))
        #expect(Set(out.publications.filter { $0.text == "offline" }.map(\.topic)) == ["lockbridge/a/availability", "lockbridge/b/availability"])
    }
}
