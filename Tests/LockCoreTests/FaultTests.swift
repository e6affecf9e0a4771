import Foundation
import Testing
@testable import LockCore

@Suite struct FaultTests {
    @Test func radiosRaiseAndClear() {
        var rig = Rig()
        #expect(rig.send(.wifi(up: false)).raised(.wifiDown))
        #expect(rig.send(.wifi(up: false)).faults.isEmpty, "raised once")
        #expect(rig.send(.ble(up: false)).raised(.bleDown))
        #expect(rig.lock.activeFaults == [.wifiDown, .bleDown])
        #expect(rig.send(.wifi(up: true)).cleared(.wifiDown))
        #expect(rig.send(.ble(up: true)).cleared(.bleDown))
        #expect(rig.lock.activeFaults.isEmpty)
    }

    @Test func jamMakesTheNextMotorMoveFail() {
        var rig = Rig()
        rig.send(.glitch(.jam))
        #expect(rig.lock.jamPending)
        rig.send(.key(.unlock))
        #expect(rig.lock.jamPending, "the key does not use the motor")
        let out = rig.send(.button(.lock))
        #expect(out.access.first?.eventType == .lockFailed && out.access.first?.reason == .jammed)
        #expect(out.raised(.jammed))
        #expect(out.faults.first?.severity == .critical)
        #expect(rig.lock.state == .jammed, "a jam while locking is jammed too, not not_fully_locked (spec 3.1)")
        let retry = rig.send(.button(.lock))
        #expect(retry.granted && retry.cleared(.jammed))
        #expect(rig.lock.state == .locked)
    }

    @Test func jamWhileUnlockingLeavesTheBoltJammed() {
        var rig = Rig()
        rig.send(.glitch(.jam))
        #expect(rig.command(.unlock)?.error?.code == .jammed)
        #expect(rig.lock.state == .jammed)
        #expect(rig.command(.unlock)?.error?.code == .jammed, "remote refuses until the bolt is freed")
    }

    @Test func crashRebootsAndClearsItself() {
        var rig = Rig()
        let out = rig.send(.glitch(.crash))
        let kinds = out.events.map { event -> String in
            switch event.body {
            case .fault(let fault): "\(fault.eventType):\(fault.fault.rawValue)"
            case .system(let system): system.eventType.rawValue
            default: "other"
            }
        }
        #expect(kinds == ["fault_raised:firmware_crash", "restarted", "fault_cleared:firmware_crash"])
        #expect(rig.lock.activeFaults.isEmpty)
    }

    @Test func hangAnswersOnlyRestart() {
        var rig = WaysInTests.equipped()
        rig.send(.glitch(.hang))
        #expect(rig.lock.isHung)
        #expect(rig.command(.unlock) == nil)
        #expect(rig.command(.refresh) == nil)
        #expect(rig.send(.keypad("480913")).isEmpty)
        #expect(rig.send(.fob(id: "fob-1")).isEmpty)
        #expect(rig.send(.button(.unlock)).isEmpty)
        #expect(rig.lock.state == .locked)
        #expect(rig.send(.key(.unlock)).granted, "the key is mechanical")
        #expect(rig.send(.wifi(up: false)).raised(.wifiDown), "sensors still report")
        let restart = rig.command(.restart)
        #expect(restart?.isOK == true)
        #expect(!rig.lock.isHung)
        #expect(rig.outputs.system.last?.eventType == .restarted)
        #expect(rig.command(.refresh)?.isOK == true)
    }

    @Test func tamperClearsOnlyOnRestartCommand() {
        var rig = Rig()
        #expect(rig.send(.tamper).raised(.tamper))
        rig.send(.glitch(.crash))
        #expect(rig.lock.activeFaults.contains(.tamper), "a crash is not the restart command")
        let out = rig.send(.command(.restart, requestID: "r"))
        #expect(out.cleared(.tamper))
        #expect(!rig.lock.tampered)
    }

    @Test func doorForcedOpenWhileLocked() {
        var rig = Rig()
        let out = rig.send(.door(.open))
        #expect(out.raised(.doorForcedOpen))
        #expect(rig.lock.door == .forcedOpen)
        #expect(rig.send(.door(.closed)).cleared(.doorForcedOpen))
        #expect(rig.lock.door == .closed)
        rig.send(.key(.unlock))
        #expect(!rig.send(.door(.open)).raised(.doorForcedOpen), "an unlocked door just opens")
        #expect(rig.lock.door == .open)
        rig.send(.door(.closed))
        #expect(rig.send(.door(.forcedOpen)).raised(.doorForcedOpen))
    }

    @Test func doorAjarAfterTheConfiguredTime() {
        var rig = Rig(config: LockConfig(doorAjarSeconds: 120))
        rig.send(.key(.unlock))
        rig.send(.door(.open))
        #expect(!rig.advance(119).raised(.doorAjar))
        let out = rig.advance(1)
        #expect(out.raised(.doorAjar))
        #expect(out.faults.first?.detail["seconds"] == 120)
        #expect(rig.lock.door == .ajar)
        #expect(rig.advance(500).faults.isEmpty, "raised once")
        #expect(rig.send(.door(.closed)).cleared(.doorAjar))
    }

    @Test func lockWithTheDoorOpenIsRefusedAndAutoRelockWaits() {
        var rig = Rig(config: LockConfig(autoRelockSeconds: 30))
        rig.command(.unlock)
        rig.send(.door(.open))
        #expect(rig.command(.lock)?.error?.code == .doorOpen)
        #expect(rig.outputs.access.last?.reason == .doorOpen)
        rig.advance(600)
        #expect(rig.lock.state == .unlocked, "auto-relock waits for the door")
        rig.send(.door(.closed))
        rig.advance(29)
        #expect(rig.lock.state == .unlocked)
        let out = rig.advance(1)
        #expect(out.access.first?.method == .auto && out.granted)
        #expect(rig.lock.state == .locked)
    }

    @Test func openHoldsTheLatchUntilTheDoorCloses() {
        var rig = Rig()
        #expect(rig.command(.open)?.isOK == true)
        #expect(rig.lock.state == .open)
        #expect(rig.outputs.access.last?.eventType == .open)
        rig.send(.door(.open))
        #expect(rig.lock.door == .open)
        rig.send(.door(.closed))
        #expect(rig.lock.state == .unlocked)
    }

    @Test func severitiesAreFixed() {
        #expect(FaultCode.tamper.severity == .critical)
        #expect(FaultCode.wrongCodeLimit.severity == .warning)
        #expect(FaultCode.bleDown.severity == .info)
        #expect(FaultCode.allCases.count == 16)
    }
}
