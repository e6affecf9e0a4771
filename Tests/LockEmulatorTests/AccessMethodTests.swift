import JSON
import LockCore
import MQTT
import TestSupport
import Foundation
import Testing

/// Every way in, driven through the real emulator over a real broker.
@Suite struct AccessMethodTests {
    @Test func keypadPinSetRemotelyUnlocksAndNeverLeaksTheCode() async throws {
        let h = try await EmulatorHarness.start(["front-door"])
        let ack = try await h.command("front-door", .setCode(slot: 2, name: "Dog walker", hash: h.sealed("front-door", "246813")))
        #expect(ack["status"]?.stringValue == "ok")
        let set = try await h.event("front-door", "code_set") { $0["event_type"]?.stringValue == "code_set" }
        #expect(set["slot"]?.intValue == 2)
        #expect(set["category"]?.stringValue == "credential")

        try await h.sim("front-door", #"{"action":"keypad","code":"246813"}"#)
        let unlock = try await h.event("front-door", "a keypad unlock") { $0["event_type"]?.stringValue == "unlock" }
        #expect(unlock["method"]?.stringValue == "keypad")
        #expect(unlock["credential"]?.objectValue?["slot"]?.intValue == 2)
        #expect(unlock["credential"]?.objectValue?["name"]?.stringValue == "Dog walker")
        let state = try await h.state("front-door", "unlocked") { $0["lock"]?.stringValue == "unlocked" }
        #expect(try state.object("credentials").array("codes").count == 1)

        // The code appears nowhere on the device link, and not in the emulator's saved state.
        let everything = (h.events.messages + h.states.messages + h.acks.messages).map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(!everything.contains { $0.contains("246813") })
        let saved = try String(contentsOfFile: "\(h.stateDirectory)/lock-front-door.json", encoding: .utf8)
        #expect(!saved.contains("246813"))
        let output = h.emulator?.text ?? ""
        #expect(!output.contains("246813"))
        try await h.stop()
    }

    @Test func wrongCodesLockTheKeypadOutButTheKeyStillWorks() async throws {
        let h = try await EmulatorHarness.start(["back-door"])
        _ = try await h.command("back-door", .setCode(slot: 1, name: "Anna", hash: h.sealed("back-door", "583920")))
        for _ in 0..<5 { try await h.sim("back-door", #"{"action":"keypad","code":"000111"}"#) }
        let raised = try await h.event("back-door", "wrong_code_limit") { $0["fault"]?.stringValue == "wrong_code_limit" }
        #expect(raised["event_type"]?.stringValue == "fault_raised")
        let locked = try await h.state("back-door", "a lockout") { !($0["lockout_until"]?.isNull ?? true) }
        #expect(locked["access"]?.objectValue?["keypad"]?.objectValue?["reason"]?.stringValue == "lockout")

        // Even the right code is refused now; the mechanical key is not.
        try await h.sim("back-door", #"{"action":"keypad","code":"583920"}"#)
        let refused = try await h.event("back-door", "a refused code") { $0["reason"]?.stringValue == "lockout" }
        #expect(refused["event_type"]?.stringValue == "unlock_failed")
        try await h.sim("back-door", #"{"action":"key","turn":"unlock"}"#)
        let key = try await h.event("back-door", "a key unlock") { $0["method"]?.stringValue == "mechanical_key" }
        #expect(key["event_type"]?.stringValue == "unlock")
        try await h.stop()
    }

    /// The wrong-code count and a running lockout are on disk before the lock says anything about
    /// them: a `kill -9` (pulling the battery) right after a wrong code buys no extra guesses.
    @Test func aKill9KeepsTheWrongCodeCountAndTheLockout() async throws {
        let h = try await EmulatorHarness.start(["cellar"])
        _ = try await h.command("cellar", .setCode(slot: 1, name: "Anna", hash: h.sealed("cellar", "583920")))
        for _ in 0..<4 { try await h.sim("cellar", #"{"action":"keypad","code":"000111"}"#) }
        try await crash(h)
        // The fifth wrong code, the first after the crash, starts the lockout.
        try await h.sim("cellar", #"{"action":"keypad","code":"000111"}"#)
        _ = try await h.event("cellar", "wrong_code_limit after a crash") {
            $0["fault"]?.stringValue == "wrong_code_limit" && $0["event_type"]?.stringValue == "fault_raised"
        }
        try await crash(h)
        let refused = try await h.sim("cellar", #"{"action":"keypad","code":"583920"}"#)
        #expect(refused["access"]?.objectValue?["reason"]?.stringValue == "lockout", "\(refused)")
        try await h.stop()
    }

    private func crash(_ h: EmulatorHarness) async throws {
        h.emulator?.send(SIGKILL)
        _ = try await h.emulator?.waitForExit()
        try await h.startEmulator()
    }

    @Test func phonesAndFobsAndLosingThem() async throws {
        let h = try await EmulatorHarness.start(["garage"])
        #expect(try await h.command("garage", .addPhone(id: "anna-pixel", name: "Anna"))["status"]?.stringValue == "ok")
        try await h.sim("garage", #"{"action":"phone","id":"anna-pixel","command":"unlock"}"#)
        let phone = try await h.event("garage", "a phone unlock") { $0["method"]?.stringValue == "ble_phone" && $0["event_type"]?.stringValue == "unlock" }
        #expect(phone["credential"]?.objectValue?["id"]?.stringValue == "anna-pixel")

        // Bluetooth drops: the phone stops being a way in, and says why.
        try await h.sim("garage", #"{"action":"ble","up":false}"#)
        let down = try await h.state("garage", "ble down") { $0["access"]?.objectValue?["ble_phone"]?.objectValue?["reason"]?.stringValue == "ble_down" }
        #expect(try down.array("faults").contains("ble_down"))
        try await h.sim("garage", #"{"action":"ble","up":true}"#)

        // A lost phone is revoked and no longer opens the door.
        _ = try await h.command("garage", .revokePhone(id: "anna-pixel"))
        try await h.sim("garage", #"{"action":"phone","id":"anna-pixel","command":"unlock"}"#)
        let unknown = try await h.event("garage", "a refused phone") { $0["reason"]?.stringValue == "unknown_phone" }
        #expect(unknown["event_type"]?.stringValue == "unlock_failed")

        // Fob enrolment: the command waits for a tap, then answers once.
        let enrol = try await h.send("garage", .enrollFob(name: "Blue fob", slot: 1))
        _ = try await h.event("garage", "enrolment_started") { $0["event_type"]?.stringValue == "enrolment_started" }
        try await h.sim("garage", #"{"action":"fob","fob_id":"04:a2:19"}"#)
        #expect(try await h.ack(enrol)["status"]?.stringValue == "ok")
        try await h.sim("garage", #"{"action":"fob","fob_id":"04:a2:19"}"#)
        let fob = try await h.event("garage", "a fob unlock") { $0["method"]?.stringValue == "fob" && $0["event_type"]?.stringValue == "unlock" }
        #expect(fob["credential"]?.objectValue?["slot"]?.intValue == 1)
        _ = try await h.command("garage", .revokeFob(slot: 1))
        try await h.sim("garage", #"{"action":"fob","fob_id":"04:a2:19"}"#)
        _ = try await h.event("garage", "a refused fob") { $0["reason"]?.stringValue == "unknown_fob" }
        try await h.stop()
    }

    @Test func aForgottenCodeIsWhatTheOverrideIsFor() async throws {
        let h = try await EmulatorHarness.start(["cabin"])
        _ = try await h.command("cabin", .setCode(slot: 1, name: "Owner", hash: h.sealed("cabin", "583920")))
        #expect(try await h.command("cabin", .setOverrideCode(h.sealed("cabin", "73915084")))["status"]?.stringValue == "ok")
        #expect(try await h.command("cabin", .setMode(.vacation))["status"]?.stringValue == "ok")
        try await h.sim("cabin", #"{"action":"keypad","code":"583920"}"#)
        _ = try await h.event("cabin", "a PIN refused in vacation mode") { $0["reason"]?.stringValue == "mode_forbids" }
        try await h.sim("cabin", #"{"action":"keypad","code":"73915084"}"#)
        let override = try await h.event("cabin", "an override-code unlock") { $0["method"]?.stringValue == "override_code" }
        #expect(override["event_type"]?.stringValue == "unlock")
        #expect(override["credential"]?.objectValue?["type"]?.stringValue == "override")
        _ = try await h.command("cabin", .lock)
        try await h.sim("cabin", #"{"action":"override_key"}"#)
        let keyhole = try await h.event("cabin", "an override-key unlock") { $0["method"]?.stringValue == "override_key" }
        #expect(keyhole["event_type"]?.stringValue == "unlock")
        try await h.stop()
    }
}
