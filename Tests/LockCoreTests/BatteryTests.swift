import Foundation
import Testing
@testable import LockCore

@Suite struct BatteryTests {
    @Test func voltageFollowsPercent() {
        #expect(Battery(percent: 0).voltageMillivolts == 4800)
        #expect(Battery(percent: 100).voltageMillivolts == 6400)
        #expect(Battery(percent: 63).voltageMillivolts == 5808)
        #expect(Battery(percent: 63.1).reportedPercent == 64)
        #expect(Battery(percent: 0.01).reportedPercent == 1, "alive is never reported as 0")
        #expect(Battery(percent: 2.0).reportedPercent == 2)
        #expect(Battery(percent: 140).percent == 100)
        #expect(Battery(percent: -3).percent == 0)
        #expect(Battery(percent: .nan).percent == 0)
    }

    @Test func motorMovesAndIdleTimeDrain() {
        let drain = DrainModel(percentPerMove: 0.5, percentPerHour: 1)
        var rig = Rig(battery: Battery(percent: 50, drain: drain))
        rig.send(.button(.unlock))
        #expect(abs(rig.lock.battery.percent - 49.5) < 1e-9)
        rig.send(.key(.lock))
        #expect(abs(rig.lock.battery.percent - 49.5) < 1e-9, "the key costs nothing")
        rig.advance(7200)
        #expect(abs(rig.lock.battery.percent - 47.5) < 1e-9)
        rig.send(.backupPower(connected: true))
        rig.advance(7200)
        rig.send(.button(.unlock))
        #expect(abs(rig.lock.battery.percent - 47.5) < 1e-9, "no drain on backup power")
        #expect(rig.outputs.system.map(\.eventType) == [.backupPowerConnected])
        rig.send(.backupPower(connected: false))
        #expect(rig.outputs.system.last?.eventType == .backupPowerRemoved)
    }

    @Test func timeNeverRunsBackwards() {
        var rig = Rig(battery: Battery(percent: 50, drain: DrainModel(percentPerHour: 1)))
        rig.advance(3600)
        rig.now -= 7200
        rig.send(.tick)
        rig.now += 7200
        rig.send(.tick)
        #expect(abs(rig.lock.battery.percent - 49) < 1e-9)
    }

    @Test func depletedRefusesTheMotorAndDeadIsDark() {
        var rig = Rig(battery: Battery(percent: 2))
        let out = rig.send(.button(.unlock))
        #expect(out.access.first?.reason == .insufficientBattery)
        #expect(rig.command(.unlock)?.error?.code == .insufficientBattery)
        rig.send(.setBattery(percent: 0))
        #expect(!rig.lock.isPowered)
        #expect(rig.send(.button(.unlock)).isEmpty)
        #expect(rig.command(.unlock) == nil, "a dead lock answers nothing")
        #expect(rig.send(.key(.unlock)).granted)
    }

    @Test func replacingTheBattery() {
        var rig = Rig(battery: Battery(percent: 1))
        let out = rig.send(.replaceBattery)
        #expect(out.system.map(\.eventType) == [.batteryReplaced])
        #expect(rig.lock.battery.percent == 100)
        #expect(rig.send(.button(.unlock)).granted)
    }

    @Test(arguments: [
        (BatteryLevel.ok, 21.0, BatteryLevel.ok), (.ok, 20, .low), (.ok, 10, .critical), (.ok, 2, .depleted),
        (.ok, 0, .depleted), (.low, 24.9, .low), (.low, 25, .ok), (.low, 9, .critical),
        (.critical, 14.9, .critical), (.critical, 15, .low), (.critical, 30, .ok),
        (.depleted, 6.9, .depleted), (.depleted, 7, .critical), (.depleted, 16, .low), (.depleted, 25, .ok),
        (.critical, 11, .critical), (.low, 21, .low),
    ])
    func levelHysteresis(current: BatteryLevel, percent: Double, expected: BatteryLevel) {
        #expect(BatteryLevel.next(current: current, percent: percent) == expected)
    }

    @Test func levelWalkDownAndUp() {
        var level = BatteryLevel.ok
        var seen: [BatteryLevel] = []
        for percent in [30, 20, 19, 10, 3, 2, 5, 8, 12, 16, 22, 26].map(Double.init) {
            level = BatteryLevel.next(current: level, percent: percent)
            seen.append(level)
        }
        #expect(seen == [.ok, .low, .low, .critical, .critical, .depleted, .depleted, .critical, .critical, .low, .low, .ok])
    }
}

@Suite struct DrainForecastTests {
    let t0 = Rig.start

    @Test func fitsALinearDrain() throws {
        var forecast = DrainForecast()
        // 1 % per hour from 80 %: 80 hours left at the last sample (on 78 %) → 78 h.
        for hour in 0...2 { forecast.record(percent: 80 - Double(hour), backupPower: false, at: t0 + Double(hour) * 3600) }
        let days = try #require(forecast.daysLeft)
        #expect(abs(days - 78.0 / 24) < 1e-9)
    }

    @Test func needsThreeSamplesOverAnHour() {
        var forecast = DrainForecast()
        forecast.record(percent: 80, backupPower: false, at: t0)
        forecast.record(percent: 79, backupPower: false, at: t0 + 3600)
        #expect(forecast.daysLeft == nil, "two samples")
        var short = DrainForecast()
        for minute in 0..<10 { short.record(percent: 80 - Double(minute), backupPower: false, at: t0 + Double(minute) * 60) }
        #expect(short.daysLeft == nil, "less than an hour")
    }

    @Test func nilWhenNotFalling() {
        var forecast = DrainForecast()
        for hour in 0...3 { forecast.record(percent: 50 + Double(hour % 2), backupPower: false, at: t0 + Double(hour) * 3600) }
        #expect(forecast.daysLeft == nil)
        var flat = DrainForecast()
        for hour in 0...3 { flat.record(percent: 50, backupPower: false, at: t0 + Double(hour) * 3600) }
        #expect(flat.daysLeft == nil)
    }

    @Test func backupPowerTimeIsCutOut() throws {
        var forecast = DrainForecast()
        forecast.record(percent: 80, backupPower: false, at: t0)
        forecast.record(percent: 79, backupPower: false, at: t0 + 3600)
        forecast.record(percent: 79, backupPower: true, at: t0 + 7200)  // jump-start held on for 10 h
        forecast.record(percent: 79, backupPower: false, at: t0 + 7200 + 36_000)
        forecast.record(percent: 78, backupPower: false, at: t0 + 3 * 3600 + 36_000)
        #expect(forecast.samples.map(\.lockTime) == [0, 3600, 7200, 10_800])
        #expect(try #require(forecast.daysLeft) < 6, "10 h on backup power do not look like a slow drain (would be ~30 days)")
    }

    @Test func resetsOnReplacement() {
        var forecast = DrainForecast()
        for hour in 0...2 { forecast.record(percent: 80 - Double(hour), backupPower: false, at: t0 + Double(hour) * 3600) }
        forecast.reset()
        #expect(forecast.samples.isEmpty && forecast.daysLeft == nil)
    }
}
