import Foundation
import JSON
import LockAPI
import LockCore
import Testing

@testable import BridgeCore

/// Events that reach the bridge more than 30 s after they happened are marked `delayed` (spec 3.2).
@Suite struct DelayedEventTests {
    /// The `delayed` flag of each event the bridge audits and publishes for one key turn of the
    /// lock at lock time `at`, handed to the bridge at its `now`.
    private func delayed(turnedAt offset: TimeInterval, alreadyMarked: Bool = false) -> [Bool] {
        var h = CoreHarness()
        h.report("door")
        var lock = h.locks["door"]!
        var out: [Bool] = []
        for case .event(let event) in lock.handle(.key(.unlock), now: h.now.addingTimeInterval(offset)) {
            var o = EventPayload.object(event, delayed: alreadyMarked)
            o["v"] = .int(Int64(DeviceTopics.version))
            o["category"] = .string(EventPayload.category(event))
            let effects = h.handle(.deviceEvent(LockID("door")!, payload: try! o.serializedBytes()))
            out += effects.events.compactMap { e in (try? JSON.parseObject(e.payload)).map { $0["delayed"]?.boolValue ?? false } }
        }
        return out
    }

    @Test func anEventOnTimeIsNotMarked() {
        #expect(delayed(turnedAt: -5) == [false])
    }

    @Test func anEventMoreThan30SecondsOldIsMarked() {
        #expect(delayed(turnedAt: -31) == [true])
        #expect(delayed(turnedAt: -3600) == [true])
    }

    @Test func anEventTheLockMarkedStaysMarkedOnce() throws {
        #expect(delayed(turnedAt: -1, alreadyMarked: true) == [true])
    }

    @Test func theLocksClockIsReadThroughItsSnapshot() {
        // The lock's clock runs an hour ahead of the wall clock (its snapshot says so): an event
        // stamped 10 s before the lock's now is on time.
        var h = CoreHarness()
        var lock = Lock(salt: Array(repeating: 1, count: 16), hasher: CodeHasher(iterations: 2))
        let ahead = h.now.addingTimeInterval(3600)
        let snapshot = DeviceSnapshot(lock, emulator: "emu-1", lockTime: ahead, wallTime: h.now)
        h.handle(.deviceState(LockID("door")!, payload: try! snapshot.payload(), retained: false))
        var marks: [Bool] = []
        for case .event(let event) in lock.handle(.key(.unlock), now: ahead.addingTimeInterval(-10)) {
            let effects = h.handle(.deviceEvent(LockID("door")!, payload: CoreHarness.devicePayload(event)))
            marks += effects.events.compactMap { e in (try? JSON.parseObject(e.payload)).map { $0["delayed"]?.boolValue ?? false } }
        }
        #expect(marks == [false])
        // Without the snapshot's offset the same event would look an hour early, not late; one
        // stamped 40 s before the lock's now is late.
        for case .event(let event) in lock.handle(.key(.lock), now: ahead.addingTimeInterval(-40)) {
            let effects = h.handle(.deviceEvent(LockID("door")!, payload: CoreHarness.devicePayload(event)))
            marks += effects.events.compactMap { e in (try? JSON.parseObject(e.payload)).map { $0["delayed"]?.boolValue ?? false } }
        }
        #expect(marks == [false, true])
    }

    @Test func markingKeepsEveryOtherField() throws {
        let payload = Array(#"{"event_type":"unlock","seq":3,"epoch":1,"at":"2026-11-25T10:00:00.000Z"}"#.utf8)
        let marked = String(decoding: EventPayload.markedDelayed(payload), as: UTF8.self)
        #expect(marked == #"{"event_type":"unlock","seq":3,"epoch":1,"at":"2026-11-25T10:00:00.000Z","delayed":true}"#)
        #expect(EventPayload.markedDelayed(Array(marked.utf8)) == Array(marked.utf8))
        #expect(EventPayload.markedDelayed([0x7b]) == [0x7b], "an unreadable payload is sent as it was")
    }
}
