import Foundation
import Testing
@testable import LockCore

@Suite struct LockoutTests {
    static func rig(limit: Int = 3, lockout: Int = 60, requireCode: Bool = false) -> Rig {
        var rig = Rig(config: LockConfig(wrongCodeLimit: limit, lockoutSeconds: lockout))
        rig.addPin("480913", slot: 1)
        rig.command(.setOverrideCode(rig.hash("48091372")))
        rig.command(.setConfig(LockConfigPatch(requireCodeForRemote: requireCode)))
        #expect(rig.lock.config.requireCodeForRemote == requireCode)
        return rig
    }

    @Test func limitStartsALockoutThatEndsOnATick() {
        var rig = Self.rig()
        rig.send(.keypad("111999"))
        rig.send(.keypad("111999"))
        #expect(!rig.lock.lockout.isActive(at: rig.now))
        let third = rig.send(.keypad("111999"))
        #expect(third.access.first?.reason == .wrongCode)
        #expect(third.raised(.wrongCodeLimit))
        #expect(rig.lock.activeFaults.contains(.wrongCodeLimit))
        #expect(rig.lock.lockoutUntil(now: rig.now) == rig.now + 60)
        #expect(rig.lock.waysIn(now: rig.now)[.keypad] == .blocked(.lockout))

        let refused = rig.send(.keypad("480913"))
        #expect(refused.access.first?.reason == .lockout, "even the right PIN is refused")
        #expect(rig.lock.state == .locked)

        #expect(!rig.advance(59).cleared(.wrongCodeLimit))
        #expect(rig.advance(1).cleared(.wrongCodeLimit))
        #expect(rig.lock.waysIn(now: rig.now)[.keypad] == .usable)
        #expect(rig.send(.keypad("480913")).granted)
    }

    @Test func keysOverrideCodeFobAndButtonStillWorkDuringLockout() {
        var rig = Self.rig()
        for _ in 0..<3 { rig.send(.keypad("111999")) }
        #expect(rig.send(.key(.unlock)).granted)
        rig.send(.key(.lock))
        #expect(rig.send(.overrideKey).granted)
        rig.send(.key(.lock))
        let override = rig.send(.keypad("48091372"))
        #expect(override.access.first?.method == .overrideCode && override.granted)
        #expect(rig.lock.lockout.isActive(at: rig.now), "the override does not end the lockout")
        #expect(rig.send(.button(.lock)).granted)
    }

    @Test func lockoutDoublesAndCapsAtOneHour() {
        var rig = Self.rig(lockout: 600)
        var expected = [600, 1200, 2400, 3600, 3600]
        while let seconds = expected.first {
            expected.removeFirst()
            for _ in 0..<3 { rig.send(.keypad("111999")) }
            #expect(rig.lock.lockoutUntil(now: rig.now) == rig.now + Double(seconds))
            rig.advance(Double(seconds))
            #expect(!rig.lock.activeFaults.contains(.wrongCodeLimit))
        }
    }

    @Test func aGoodCodeResetsTheDoubling() {
        var rig = Self.rig()
        for _ in 0..<3 { rig.send(.keypad("111999")) }
        rig.advance(60)
        rig.send(.keypad("480913"))
        rig.send(.key(.lock))
        for _ in 0..<3 { rig.send(.keypad("111999")) }
        #expect(rig.lock.lockoutUntil(now: rig.now) == rig.now + 60, "back to the base length")
    }

    @Test func remoteCodesShareTheCounter() {
        var rig = Self.rig(requireCode: true)
        #expect(rig.command(.unlock)?.error?.code == .codeRequired)
        #expect(rig.lock.lockout.failures == 0, "a missing code is not a wrong one")
        #expect(rig.command(.unlock, code: "111999")?.error?.code == .wrongCode)
        rig.send(.keypad("111999"))
        let third = rig.command(.unlock, code: "111999")
        #expect(third?.error?.code == .wrongCode)
        #expect(rig.outputs.raised(.wrongCodeLimit))
        #expect(rig.command(.unlock, code: "480913")?.error?.code == .lockoutActive)
        #expect(rig.command(.setMode(.privacy), code: "480913")?.error?.code == .lockoutActive)
        #expect(rig.lock.waysIn(now: rig.now)[.remote] == .blocked(.lockout))
        #expect(rig.command(.lock)?.isOK == true, "lock never needs a code")
        rig.advance(60)
        #expect(rig.command(.unlock, code: "480913")?.isOK == true)
        #expect(rig.command(.lock)?.isOK == true)
        #expect(rig.command(.unlock, code: "48091372")?.isOK == true, "the override code works remotely")
    }

    @Test func everyCommandThatChangesWhoGetsInNeedsTheCode() {
        var rig = Self.rig(limit: 10, requireCode: true)
        let gated: [LockCommand] = [
            .unlock, .open, .setCode(slot: 3, name: "X", hash: rig.hash("720615")), .clearCode(slot: 1),
            .enableCode(slot: 1), .setOverrideCode(rig.hash("39184027")), .enrollFob(name: "F"),
            .addPhone(id: "p", name: "P"), .setMode(.vacation), .setConfig(LockConfigPatch(autoRelockSeconds: 5)),
            .factoryReset,
        ]
        for command in gated {
            #expect(rig.command(command)?.error?.code == .codeRequired, "\(command.name)")
            #expect(command.needsRemoteCode)
        }
        for command in [LockCommand.lock, .disableCode(slot: 9), .revokePhone(id: "x"), .refresh] {
            #expect(rig.command(command)?.error?.code != .codeRequired, "\(command.name)")
        }
        #expect(rig.command(.setConfig(LockConfigPatch(requireCodeForRemote: false)), code: "480913")?.isOK == true)
        #expect(rig.command(.unlock)?.isOK == true)
    }

    @Test func requiringACodeNeedsACodeToExist() {
        var rig = Rig()
        let refused = rig.command(.setConfig(LockConfigPatch(requireCodeForRemote: true)))
        #expect(refused?.error?.field == "require_code_for_remote")
        rig.command(.setOverrideCode(rig.hash("48091372")))
        #expect(rig.command(.setConfig(LockConfigPatch(requireCodeForRemote: true)))?.isOK == true)
    }

    @Test func disabledOrExpiredPinsDoNotCountAsWrong() {
        var rig = Self.rig()
        rig.command(.disableCode(slot: 1))
        #expect(rig.send(.keypad("480913")).access.first?.reason == .disabled)
        rig.command(.setCode(slot: 2, name: "Old", hash: rig.hash("720615"), validUntil: rig.now + 10))
        rig.advance(10)
        #expect(rig.send(.keypad("720615")).access.first?.reason == .expired)
        #expect(rig.lock.lockout.failures == 0)
        #expect(rig.lock.waysIn(now: rig.now)[.keypad] == .blocked(.noCredentials))
    }
}
