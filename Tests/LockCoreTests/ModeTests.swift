import Foundation
import Testing
@testable import LockCore

@Suite struct ModeTests {
    @Test func privacyRefusesKeypadFobPhoneAndRemoteUnlock() {
        var rig = WaysInTests.equipped()
        #expect(rig.command(.setMode(.privacy))?.isOK == true)
        #expect(rig.outputs.system.last?.eventType == .modeChanged)
        #expect(rig.send(.keypad("480913")).access.first?.reason == .modeForbids)
        #expect(rig.send(.fob(id: "fob-1")).access.first?.reason == .modeForbids)
        #expect(rig.send(.phone(id: "anna-pixel", command: .unlock)).access.first?.reason == .modeForbids)
        #expect(rig.command(.unlock)?.error?.code == .modeForbids)
        #expect(rig.command(.open)?.error?.code == .modeForbids)
        #expect(rig.lock.state == .locked)
        let report = rig.lock.waysIn(now: rig.now)
        for way in [AccessWay.remote, .keypad, .blePhone, .fob] { #expect(report[way] == .blocked(.modeForbids)) }
        // Still works: remote lock, override code, inside button, keys, and leaving the mode.
        #expect(rig.send(.keypad("48091372")).access.first?.method == .overrideCode)
        #expect(rig.lock.state == .unlocked)
        #expect(rig.command(.lock)?.isOK == true)
        #expect(rig.send(.button(.unlock)).granted)
        #expect(rig.command(.setMode(.normal))?.isOK == true)
    }

    @Test func vacationOnlyTheOverrideCodeOnTheKeypad() {
        var rig = WaysInTests.equipped()
        rig.command(.setMode(.vacation))
        #expect(rig.send(.keypad("480913")).access.first?.reason == .modeForbids)
        #expect(rig.lock.lockout.failures == 0, "a known PIN refused by the mode is not a wrong code")
        #expect(rig.lock.waysIn(now: rig.now)[.keypad] == .blocked(.modeForbids))
        #expect(rig.send(.keypad("48091372")).granted)
        rig.send(.key(.lock))
        #expect(rig.send(.fob(id: "fob-1")).granted)
        rig.send(.key(.lock))
        #expect(rig.send(.phone(id: "anna-pixel", command: .unlock)).granted)
        rig.send(.key(.lock))
        #expect(rig.command(.unlock)?.isOK == true)
    }

    @Test func noRemoteRefusesEveryRemoteMoveButNotSetMode() {
        var rig = WaysInTests.equipped()
        rig.command(.setMode(.noRemote))
        #expect(rig.command(.unlock)?.error?.code == .modeForbids)
        #expect(rig.command(.lock)?.error?.code == .modeForbids)
        #expect(rig.command(.open)?.error?.code == .modeForbids)
        #expect(rig.outputs.access.last?.eventType == .openFailed)
        #expect(rig.lock.waysIn(now: rig.now)[.remote] == .blocked(.modeForbids))
        #expect(rig.send(.keypad("480913")).granted)
        #expect(rig.command(.setMode(.normal))?.isOK == true)
        #expect(rig.command(.lock)?.isOK == true)
    }

    @Test func passageUnlocksAndTurnsAutoRelockOff() {
        var rig = Rig(config: LockConfig(autoRelockSeconds: 30))
        #expect(rig.command(.setMode(.passage))?.isOK == true)
        #expect(rig.lock.state == .unlocked)
        rig.advance(3600)
        #expect(rig.lock.state == .unlocked, "no auto-relock in passage")
        rig.command(.setMode(.normal))
        rig.send(.button(.lock))
        rig.send(.button(.unlock))
        rig.advance(31)
        #expect(rig.lock.state == .locked, "auto-relock is back in normal mode")
    }

    @Test func passageFailsWhenTheBoltCannotMove() {
        var rig = Rig()
        rig.send(.setBattery(percent: 1))
        #expect(rig.command(.setMode(.passage))?.error?.code == .insufficientBattery)
        #expect(rig.lock.mode == .normal)
    }

    @Test func sameModeIsQuietlyOK() {
        var rig = Rig()
        #expect(rig.command(.setMode(.normal))?.isOK == true)
        #expect(rig.outputs.system.isEmpty)
    }
}
