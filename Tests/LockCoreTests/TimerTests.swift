import Foundation
import Testing
@testable import LockCore

/// Timers: auto-relock, enrolment across a hang, and what a reboot keeps.
@Suite struct TimerTests {
    @Test func autoRelockFailureIsReportedAsAuto() {
        var rig = Rig(config: LockConfig(autoRelockSeconds: 10), battery: Battery(percent: 2.04, drain: DrainModel(percentPerMove: 0.05, percentPerHour: 0)))
        rig.send(.button(.unlock))
        #expect(rig.lock.state == .unlocked)
        let out = rig.advance(10)
        #expect(out.access.first?.method == .auto)
        #expect(out.access.first?.eventType == .lockFailed && out.access.first?.reason == .insufficientBattery)
        #expect(rig.advance(100).access.isEmpty, "one attempt, not a retry loop")
    }

    @Test func autoRelockOffWhenZero() {
        var rig = Rig(config: LockConfig(autoRelockSeconds: 0))
        rig.send(.button(.unlock))
        #expect(rig.advance(86_400).access.isEmpty)
        #expect(rig.lock.state == .unlocked)
    }

    @Test func aLockMoveCancelsThePendingRelock() {
        var rig = Rig(config: LockConfig(autoRelockSeconds: 30))
        rig.send(.button(.unlock))
        rig.send(.key(.lock))
        rig.send(.key(.unlock))  // the key arms it again, like any unlock
        rig.advance(29)
        #expect(rig.lock.state == .unlocked)
        #expect(rig.advance(1).access.first?.method == .auto)
    }

    @Test func hangDuringEnrolmentAnswersAtRestart() {
        var rig = Rig()
        rig.send(.command(.enrollFob(name: "Blue"), requestID: "e"))
        rig.send(.glitch(.hang))
        #expect(rig.advance(120).results.isEmpty, "a hung lock sends no result")
        #expect(rig.send(.fob(id: "x")).isEmpty)
        let out = rig.send(.command(.restart, requestID: "r"))
        #expect(out.results.map(\.requestID) == ["e", "r"])
        #expect(out.results.first?.error?.code == .timeout)
        #expect(rig.lock.credentials.fobs.isEmpty)
    }

    @Test func restartKeepsLockoutAndRadios() {
        var rig = LockoutTests.rig()
        for _ in 0..<3 { rig.send(.keypad("111999")) }
        rig.send(.wifi(up: false))
        rig.command(.restart)
        #expect(rig.lock.lockout.isActive(at: rig.now), "a reboot is no way round a lockout")
        #expect(!rig.lock.wifiUp && rig.lock.activeFaults.contains(.wifiDown))
    }

    @Test func restartDuringEnrolmentIsBusy() {
        var rig = Rig()
        rig.send(.command(.enrollFob(name: "Blue"), requestID: "e"))
        #expect(rig.command(.restart)?.error?.code == .busy)
    }

    @Test func lockoutEndsOnAnyInputNotOnlyTicks() {
        var rig = LockoutTests.rig()
        for _ in 0..<3 { rig.send(.keypad("111999")) }
        rig.now += 60
        let out = rig.send(.keypad("480913"))
        #expect(out.cleared(.wrongCodeLimit) && out.granted)
    }
}
