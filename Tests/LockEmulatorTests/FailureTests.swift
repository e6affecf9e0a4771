import Foundation
import JSON
import LockAPI
import LockCore
import MQTT
import Testing
import TestSupport

/// The ordinary ways a smart lock fails, each through the real emulator.
@Suite struct FailureTests {
    @Test func aDeadBatteryLeavesTheKeyAndBackupPowerRevivesTheLock() async throws {
        let h = try await EmulatorHarness.start(["shed"])
        _ = try await h.command("shed", .setCode(slot: 1, name: "Owner", hash: h.sealed("shed", "583920")))
        try await h.sim("shed", #"{"action":"battery","percent":1}"#)
        let low = try await h.state("shed", "1 %") { $0["battery"]?.objectValue?["percent"]?.doubleValue == 1 }
        #expect(low["access"]?.objectValue?["keypad"]?.objectValue?["reason"]?.stringValue == "battery_depleted")
        // Below the operating level the motor refuses; the key still turns.
        let refused = try await h.command("shed", .unlock)
        #expect(refused["error"]?.objectValue?["code"]?.stringValue == "insufficient_battery")
        try await h.sim("shed", #"{"action":"key","turn":"unlock"}"#)
        _ = try await h.event("shed", "a key unlock at 1 %") { $0["method"]?.stringValue == "mechanical_key" && $0["event_type"]?.stringValue == "unlock" }

        // Fully dead: the lock goes silent, but the key still works, and the lock tells later.
        try await h.sim("shed", #"{"action":"battery","percent":0}"#)
        _ = try await h.state("shed", "0 %") { $0["battery"]?.objectValue?["percent"]?.doubleValue == 0 }
        try await h.sim("shed", #"{"action":"key","turn":"lock"}"#)
        // A jump-start brings it back: the held event arrives, marked delayed, and the keypad works.
        try await h.sim("shed", #"{"action":"backup_power","connected":true}"#)
        let late = try await h.event("shed", "the delayed key event") { $0["event_type"]?.stringValue == "lock" && $0["method"]?.stringValue == "mechanical_key" }
        #expect(late["delayed"]?.boolValue == true)
        _ = try await h.event("shed", "backup_power_connected") { $0["event_type"]?.stringValue == "backup_power_connected" }
        try await h.sim("shed", #"{"action":"keypad","code":"583920"}"#)
        let keypad = try await h.event("shed", "a keypad unlock on backup power") { $0["method"]?.stringValue == "keypad" && $0["event_type"]?.stringValue == "unlock" }
        #expect(keypad["delayed"] == nil)

        try await h.sim("shed", #"{"action":"backup_power","connected":false}"#)
        try await h.sim("shed", #"{"action":"replace_battery"}"#)
        _ = try await h.event("shed", "battery_replaced") { $0["event_type"]?.stringValue == "battery_replaced" }
        let fresh = try await h.state("shed", "100 %") { $0["battery"]?.objectValue?["percent"]?.doubleValue == 100 }
        #expect(fresh["battery"]?.objectValue?["voltage_mv"]?.intValue == 6400)
        try await h.stop()
    }

    @Test func wifiDownGoesSilentAfterALastGaspAndDeliversLateEvents() async throws {
        let h = try await EmulatorHarness.start(["porch"])
        try await h.sim("porch", #"{"action":"wifi","up":false}"#)
        let gasp = try await h.state("porch", "the last-gasp snapshot") { $0["radio"]?.objectValue?["wifi"]?.boolValue == false }
        #expect(gasp["access"]?.objectValue?["remote"]?.objectValue?["reason"]?.stringValue == "wifi_down")
        _ = try await h.event("porch", "wifi_down raised") { $0["fault"]?.stringValue == "wifi_down" && $0["event_type"]?.stringValue == "fault_raised" }

        // Silent: no heartbeat, no answer to a command; the key works and is told later.
        let heartbeats = try await MessageCollector(h.client, h.topics.lock(.init("porch")!, .heartbeat))
        let unanswered = try await h.send("porch", .lock)
        try await h.sim("porch", #"{"action":"key","turn":"unlock"}"#)
        try await h.sim("porch", #"{"action":"wifi","up":true}"#)
        let late = try await h.event("porch", "the delayed key event") { $0["method"]?.stringValue == "mechanical_key" }
        #expect(late["delayed"]?.boolValue == true)
        _ = try await h.event("porch", "wifi_down cleared") { $0["fault"]?.stringValue == "wifi_down" && $0["event_type"]?.stringValue == "fault_cleared" }
        _ = try await heartbeats.next(within: 5, "a heartbeat after Wi-Fi returned")
        let answered = try await h.command("porch", .refresh)
        #expect(answered["status"]?.stringValue == "ok")
        #expect(!h.hasAck(unanswered))
        try await h.stop()
    }

    @Test func firmwareCrashHangJamAndTamper() async throws {
        let h = try await EmulatorHarness.start(["side"])
        // Crash: the lock reboots and says so.
        try await h.sim("side", #"{"action":"glitch","kind":"crash"}"#)
        _ = try await h.event("side", "firmware_crash raised") { $0["fault"]?.stringValue == "firmware_crash" && $0["event_type"]?.stringValue == "fault_raised" }
        _ = try await h.event("side", "restarted") { $0["event_type"]?.stringValue == "restarted" }
        _ = try await h.event("side", "firmware_crash cleared") { $0["fault"]?.stringValue == "firmware_crash" && $0["event_type"]?.stringValue == "fault_cleared" }

        // Hang: heartbeats go on, commands go unanswered until `restart`.
        try await h.sim("side", #"{"action":"glitch","kind":"hang"}"#)
        _ = try await h.state("side", "hung") { $0["hung"]?.boolValue == true }
        let heartbeats = try await MessageCollector(h.client, h.topics.lock(.init("side")!, .heartbeat))
        let ignored = try await h.send("side", .unlock)
        _ = try await heartbeats.next(within: 5, "a heartbeat while hung")
        #expect(try await h.command("side", .restart)["status"]?.stringValue == "ok")
        #expect(!h.hasAck(ignored))
        _ = try await h.state("side", "not hung") { $0["hung"]?.boolValue == false }

        // Jam: the next move fails and the fault is raised; freeing the bolt by key clears it.
        try await h.sim("side", #"{"action":"glitch","kind":"jam"}"#)
        let jammed = try await h.command("side", .unlock)
        #expect(jammed["error"]?.objectValue?["code"]?.stringValue == "jammed")
        _ = try await h.event("side", "jammed raised") { $0["fault"]?.stringValue == "jammed" && $0["event_type"]?.stringValue == "fault_raised" }
        let state = try await h.state("side", "jammed state") { $0["lock"]?.stringValue == "jammed" }
        #expect(try state.array("faults").contains("jammed"))
        // The firmware will not grind the motor again until someone frees the bolt by hand.
        #expect(state["access"]?.objectValue?["remote"]?.objectValue?["reason"]?.stringValue == "jammed")
        #expect(try await h.command("side", .unlock)["error"]?.objectValue?["code"]?.stringValue == "jammed")
        try await h.sim("side", #"{"action":"key","turn":"unlock"}"#)
        _ = try await h.event("side", "jammed cleared") { $0["fault"]?.stringValue == "jammed" && $0["event_type"]?.stringValue == "fault_cleared" }

        // Tamper: raised when the cover comes off, cleared by a restart.
        try await h.sim("side", #"{"action":"tamper"}"#)
        _ = try await h.event("side", "tamper raised") { $0["fault"]?.stringValue == "tamper" && $0["event_type"]?.stringValue == "fault_raised" }
        _ = try await h.command("side", .restart)
        _ = try await h.event("side", "tamper cleared") { $0["fault"]?.stringValue == "tamper" && $0["event_type"]?.stringValue == "fault_cleared" }
        try await h.stop()
    }

    @Test func theDoorSensorReportsForcedEntry() async throws {
        let h = try await EmulatorHarness.start(["front"])
        try await h.sim("front", #"{"action":"door","state":"forced_open"}"#)
        _ = try await h.event("front", "door_forced_open") { $0["fault"]?.stringValue == "door_forced_open" && $0["event_type"]?.stringValue == "fault_raised" }
        try await h.sim("front", #"{"action":"door","state":"closed"}"#)
        _ = try await h.event("front", "door_forced_open cleared") { $0["fault"]?.stringValue == "door_forced_open" && $0["event_type"]?.stringValue == "fault_cleared" }
        _ = try await h.command("front", .unlock)
        try await h.sim("front", #"{"action":"door","state":"open"}"#)
        let refused = try await h.command("front", .lock)
        #expect(refused["error"]?.objectValue?["code"]?.stringValue == "door_open")
        try await h.stop()
    }
}
