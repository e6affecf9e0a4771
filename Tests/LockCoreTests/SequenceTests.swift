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

@Suite struct ReportCodingTests {
    @Test func accessReportEncodesAsAnObjectKeyedBySpecNames() throws {
        let rig = Rig()
        let data = try JSONEncoder().encode(rig.lock.waysIn(now: rig.now))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"ble_phone\":{") && text.contains("\"mechanical_key\":{"))
        #expect(text.contains("\"no_credentials\""))
    }

    @Test func pinPolicyFollowsTheConfiguredMinimum() {
        var rig = Rig()
        #expect(rig.lock.pinPolicy.violation(for: "5931")?.rule == .tooShort)
        rig.command(.setConfig(LockConfigPatch(minCodeLength: 4)))
        #expect(rig.lock.pinPolicy.violation(for: "5931") == nil)
    }

    @Test func rawValuesMatchTheSpec() {
        #expect(LockState.allCases.map(\.rawValue) == [
            "locked", "unlocked", "locking", "unlocking", "not_fully_locked", "jammed", "open", "opening", "unknown",
        ])
        #expect(DoorState.allCases.map(\.rawValue) == ["open", "closed", "ajar", "forced_open", "unknown"])
        #expect(LockMode.allCases.map(\.rawValue) == ["normal", "vacation", "privacy", "no_remote", "passage"])
        #expect(AccessBlockReason.allCases.map(\.rawValue) == [
            "battery_depleted", "wifi_down", "ble_down", "lock_offline", "jammed", "lockout", "mode_forbids",
            "no_credentials", "outside_schedule", "not_fitted", "unresponsive",
        ])
        #expect(AccessMethod.allCases.map(\.rawValue) == [
            "mechanical_key", "keypad", "ble_phone", "fob", "override_key", "override_code", "remote", "auto", "button",
        ])
        #expect(AccessFailureReason.allCases.map(\.rawValue) == [
            "wrong_code", "unknown_fob", "unknown_phone", "disabled", "expired", "lockout", "outside_schedule", "insufficient_battery",
            "jammed", "mode_forbids", "door_open",
        ])
        #expect(AccessWay.allCases.map(\.rawValue) == ["remote", "keypad", "ble_phone", "fob", "mechanical_key", "override"])
        #expect(CredentialUse.allCases.map(\.rawValue) == ["unrestricted", "scheduled", "one_time", "duress"])
        #expect(Weekday.allCases.map(\.rawValue) == ["sun", "mon", "tue", "wed", "thu", "fri", "sat"])
    }
}
