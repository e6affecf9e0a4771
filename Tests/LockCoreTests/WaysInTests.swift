import Foundation
import Testing
@testable import LockCore

@Suite struct WaysInTests {
    /// A lock with one of everything, so every way in is usable.
    static func equipped() -> Rig {
        var rig = Rig()
        rig.addPin("480913", slot: 1)
        rig.command(.addPhone(id: "anna-pixel", name: "Anna"))
        rig.command(.enrollFob(name: "Blue", slot: 1))
        rig.send(.fob(id: "fob-1"))
        rig.command(.setOverrideCode(rig.hash("48091372")))
        return rig
    }

    @Test func freshLockHasOnlyKeysAndRemote() {
        let rig = Rig()
        let report = rig.lock.waysIn(now: rig.now)
        #expect(report[.mechanicalKey] == .usable)
        #expect(report[.override] == .usable)
        #expect(report[.remote] == .usable)
        #expect(report[.keypad] == .blocked(.noCredentials))
        #expect(report[.blePhone] == .blocked(.noCredentials))
        #expect(report[.fob] == .blocked(.noCredentials))
        #expect(report.usableCount == 3)
    }

    @Test func everythingUsableWhenEquipped() {
        let rig = Self.equipped()
        #expect(rig.lock.credentials.fobs.count == 1)
        let report = rig.lock.waysIn(now: rig.now)
        for way in AccessWay.allCases { #expect(report[way] == .usable, "\(way)") }
    }

    @Test func deadBatteryLeavesOnlyTheKeys() {
        var rig = Self.equipped()
        rig.send(.setBattery(percent: 0))
        #expect(!rig.lock.isPowered)
        let report = rig.lock.waysIn(now: rig.now)
        for way in [AccessWay.remote, .keypad, .blePhone, .fob] { #expect(report[way] == .blocked(.batteryDepleted)) }
        #expect(report[.mechanicalKey].usable && report[.override].usable)
        #expect(rig.send(.keypad("480913")).isEmpty, "a dark keypad does nothing")
        #expect(rig.send(.key(.unlock)).granted)
        rig.send(.key(.lock))
        #expect(rig.send(.overrideKey).granted)
    }

    @Test func backupPowerBringsTheElectronicsBack() {
        var rig = Self.equipped()
        rig.send(.setBattery(percent: 0))
        rig.send(.backupPower(connected: true))
        #expect(rig.lock.isPowered)
        #expect(rig.lock.waysIn(now: rig.now)[.keypad] == .usable)
        #expect(rig.send(.keypad("480913")).granted)
        #expect(rig.lock.battery.percent == 0, "no drain on backup power")
    }

    @Test func radiosDown() {
        var rig = Self.equipped()
        rig.send(.wifi(up: false))
        rig.send(.ble(up: false))
        let report = rig.lock.waysIn(now: rig.now)
        #expect(report[.remote] == .blocked(.wifiDown))
        #expect(report[.blePhone] == .blocked(.bleDown))
        #expect(rig.send(.phone(id: "anna-pixel", command: .unlock)).isEmpty, "the phone cannot connect")
        #expect(report[.keypad] == .usable)
    }

    @Test func keysNotFitted() {
        var rig = Rig(credentials: Credentials(mechanicalKeyFitted: false, overrideKeyFitted: false))
        var report = rig.lock.waysIn(now: rig.now)
        #expect(report[.mechanicalKey] == .blocked(.notFitted))
        #expect(report[.override] == .blocked(.notFitted))
        #expect(rig.send(.key(.unlock)).isEmpty)
        #expect(rig.send(.overrideKey).isEmpty)
        #expect(rig.lock.state == .locked)
        rig.command(.setOverrideCode(rig.hash("48091372")))
        report = rig.lock.waysIn(now: rig.now)
        #expect(report[.override] == .usable, "the override code is a way in too")
    }

    @Test func jammedBlocksElectronicWaysButNotKeys() {
        var rig = Self.equipped()
        rig.send(.glitch(.jam))
        let out = rig.send(.button(.unlock))
        #expect(out.access.first?.reason == .jammed)
        #expect(rig.lock.state == .jammed)
        let report = rig.lock.waysIn(now: rig.now)
        for way in [AccessWay.remote, .keypad, .blePhone, .fob] { #expect(report[way] == .blocked(.jammed)) }
        #expect(report[.mechanicalKey].usable)
        #expect(rig.send(.keypad("480913")).access.first?.reason == .jammed)
        let freed = rig.send(.key(.unlock))
        #expect(freed.granted && freed.cleared(.jammed))
        #expect(rig.lock.waysIn(now: rig.now)[.keypad] == .usable)
    }

    @Test func lowBatteryBelowCutoffRefusesTheMotor() {
        var rig = Self.equipped()
        rig.send(.setBattery(percent: 1.5))
        #expect(rig.lock.isPowered)
        #expect(rig.lock.waysIn(now: rig.now)[.keypad] == .blocked(.batteryDepleted))
        let out = rig.send(.keypad("480913"))
        #expect(out.access.first?.reason == .insufficientBattery)
        #expect(rig.command(.unlock)?.error?.code == .insufficientBattery)
        #expect(rig.lock.state == .locked)
        #expect(rig.send(.key(.unlock)).granted)
    }
}
