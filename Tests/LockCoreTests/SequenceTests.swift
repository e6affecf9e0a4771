import Foundation
import Testing
@testable import LockCore

@Suite struct SequenceTests {
    @Test func seqStartsAtOneAndIncreases() {
        var rig = WaysInTests.equipped()
        rig.send(.keypad("480913"))
        rig.send(.glitch(.crash))
        let seqs = rig.outputs.events.map(\.seq)
        #expect(seqs.first == 1)
        #expect(seqs == Array(1...UInt64(seqs.count)))
        #expect(rig.outputs.events.allSatisfy { $0.epoch == 1 })
    }

    @Test func factoryResetStartsANewEpoch() {
        var rig = WaysInTests.equipped()
        rig.send(.wifi(up: false))
        let id = "reset"
        let out = rig.send(.command(.factoryReset, requestID: id))
        #expect(out.events.last?.epoch == 2 && out.events.last?.seq == 1)
        #expect(out.system.last?.eventType == .factoryReset)
        #expect(out.results.last?.isOK == true)
        #expect(rig.lock.credentials.pins.isEmpty && rig.lock.credentials.fobs.isEmpty && rig.lock.credentials.phones.isEmpty)
        #expect(!rig.lock.credentials.overrideCodeSet)
        #expect(rig.lock.activeFaults == [.wifiDown], "the physical world stays")
        #expect(rig.send(.tamper).events.first?.seq == 2)
    }

    @Test func lockRoundTripsThroughJSON() throws {
        var rig = WaysInTests.equipped()
        rig.send(.keypad("111999"))
        rig.send(.door(.open))
        rig.send(.command(.enrollFob(name: "Red"), requestID: "e"))
        let data = try JSONEncoder().encode(rig.lock)
        var decoded = try JSONDecoder().decode(Lock.self, from: data)
        #expect(decoded == rig.lock)
        // The decoded lock behaves the same.
        var original = rig.lock
        let later = rig.now + 61
        #expect(decoded.handle(.tick, now: later) == original.handle(.tick, now: later))
    }

    @Test func theDefaultHasherIsPBKDF2WithTheDocumentedCount() {
        let hasher = CodeHasher()
        #expect(hasher.iterations == CodeHasher.defaultIterations)
        let a = hasher.hash(code: "480913", salt: Rig.salt)
        #expect(a != CodeHasher(iterations: 2).hash(code: "480913", salt: Rig.salt))
        #expect(a.rawBytes.count == 32)
    }
}
