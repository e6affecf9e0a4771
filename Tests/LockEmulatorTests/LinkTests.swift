import Foundation
import JSON
import LockAPI
import LockCore
import MQTT
import Testing
import TestSupport

/// The device link's own rules: signed commands, persistence, sim errors, process lifecycle.
@Suite struct LinkTests {
    @Test func onlySignedFreshLiveCommandsAreObeyed() async throws {
        let h = try await EmulatorHarness.start(["vault"])
        let unsigned = try await h.send("vault", .unlock, mac: "")
        let forged = try await h.send("vault", .unlock, mac: String(repeating: "ab", count: 32))
        let retained = try await h.send("vault", .unlock, retain: true)
        let good = try await h.send("vault", .unlock, counter: 1000)
        let replayed = try await h.send("vault", .unlock, counter: 1000)
        let older = try await h.send("vault", .unlock, counter: 999)
        #expect(try await h.ack(good)["status"]?.stringValue == "ok")
        // A later good command proves the bad ones were processed (and dropped) before it.
        let marker = try await h.send("vault", .refresh, counter: 2000)
        _ = try await h.ack(marker)
        for dropped in [unsigned, forged, retained, replayed, older] { #expect(!h.hasAck(dropped)) }
        let unlocks = h.allEvents("vault").filter { $0["event_type"]?.stringValue == "unlock" }
        #expect(unlocks.count == 1)
        // Clear the retained command so it does not linger on the broker.
        try await h.client.publish(h.topics.lock(.init("vault")!, .cmd), payload: [], retain: true)
        try await h.stop()
    }

    @Test func stateAndCountersSurviveRestartsAndCrashes() async throws {
        let h = try await EmulatorHarness.start(["home"])
        _ = try await h.command("home", .setCode(slot: 3, name: "Kid", hash: h.sealed("home", "583920")))
        try await h.sim("home", #"{"action":"ble","up":false}"#)
        let before = try await h.state("home", "ble down") { $0["radio"]?.objectValue?["ble"]?.boolValue == false }
        let epoch = try before.int("epoch")
        let seq = try before.int("seq")

        // A clean stop: SIGTERM, exit 0, "offline" published, nothing lost.
        h.emulator?.send(SIGTERM)
        #expect(try await h.emulator?.waitForExit() == 0)
        #expect(h.status.messages.last?.text == "offline")
        try await h.startEmulator()
        try await h.sim("home", #"{"action":"key","turn":"unlock"}"#)
        let next = try await h.event("home", "the first event after a restart") { $0["method"]?.stringValue == "mechanical_key" }
        #expect(try next.int("epoch") == epoch)
        #expect(try next.int("seq") == seq + 1)
        let after = try await h.state("home")
        #expect(try after.object("credentials").array("codes").first?.objectValue?["name"]?.stringValue == "Kid")
        // Radio states set over sim survive a restart.
        #expect(after["radio"]?.objectValue?["ble"]?.boolValue == false)

        // A crash: the Last Will says offline, and the counter skips ahead so no number repeats.
        h.emulator?.send(SIGKILL)
        _ = try await h.emulator?.waitForExit()
        try await waitUntil(10, "the emulator's Last Will") { h.status.messages.last?.text == "offline" }
        try await h.startEmulator()
        try await h.sim("home", #"{"action":"key","turn":"lock"}"#)
        let afterCrash = try await h.event("home", "the first event after a crash") { $0["event_type"]?.stringValue == "lock" }
        #expect(try afterCrash.int("seq") > (try next.int("seq")) + 999)
        #expect(try afterCrash.int("epoch") == epoch)
        try await h.stop()
    }

    @Test func badSimMessagesGetClearErrorsAndTheEmulatorKeepsServing() async throws {
        let h = try await EmulatorHarness.start(["lab"])
        let cases: [(String, String, String?)] = [
            ("not json", "invalid_json", nil),
            (#"{"action":"keypad","code":"1234"} trailing"#, "invalid_json", nil),
            (#"[1,2]"#, "invalid_json", nil),
            (#"{"code":"1234"}"#, "invalid_field", "action"),
            (#"{"action":"fly"}"#, "unknown_action", "action"),
            (#"{"action":"battery","percent":"full"}"#, "invalid_field", "percent"),
            (#"{"action":"battery","percent":140}"#, "invalid_field", "percent"),
            (#"{"action":"door","state":"ajar-ish"}"#, "invalid_field", "state"),
            (#"{"action":"key"}"#, "invalid_field", "turn"),
            (#"{"action":"glitch","kind":"meltdown"}"#, "invalid_field", "kind"),
            (#"{"action":"keypad","code":"99887766554433221100998877665544332211"}"#, "invalid_field", "code"),
        ]
        for (payload, code, field) in cases {
            let reply = try await h.sim("lab", payload)
            #expect(reply["status"]?.stringValue == "error", "\(payload)")
            #expect(reply["error"]?.objectValue?["code"]?.stringValue == code, "\(payload)")
            if let field { #expect(reply["error"]?.objectValue?["field"]?.stringValue == field, "\(payload)") }
            // A code typed on the keypad is never echoed back.
            #expect(!String(decoding: try reply.serializedBytes(), as: UTF8.self).contains("99887766"))
        }
        #expect(try await h.sim("lab", #"{"action":"key","turn":"unlock"}"#)["status"]?.stringValue == "ok")
        #expect(h.emulator?.isRunning == true)
        try await h.stop()
    }

    @Test func stopsCleanlyEvenWhenTheBrokerIsGone() async throws {
        let h = try await EmulatorHarness.start(["orphan"])
        await h.client.disconnect()
        try await h.broker.stop()
        h.emulator?.send(SIGTERM)
        #expect(try await h.emulator?.waitForExit(within: 15) == 0)
    }

    @Test func heartbeatsComeFromEveryLock() async throws {
        let h = try await EmulatorHarness.start(["a1", "a2", "a3", "a4"])
        let beats = try await MessageCollector(h.client, h.topics.all(.heartbeat))
        try await waitUntil(5, "a heartbeat from each of four locks") {
            Set(beats.messages.map(\.topic)).count == 4
        }
        let beat = try JSON.parseObject(beats.messages[0].payload)
        #expect(beat["v"]?.intValue == Int64(DeviceTopics.version))
        #expect(RFC3339.parse(try beat.string("at")) != nil)
        try await h.stop()
    }
}

@Suite struct EmulatorCommandLineTests {
    @Test(arguments: [
        ["--count", "0"], ["--count", "10001"], ["--lock", "Bad Name"], ["--lock", "a", "--count", "2"], [],
        ["--lock", "a", "--time-scale", "0"],
    ])
    func badArgumentsFailWithAUsageError(_ arguments: [String]) async throws {
        let process = try ChildProcess("lock-emulator", arguments + ["--state-dir", FileManager.default.temporaryDirectory.appendingPathComponent(TestNames.clientID("emu-args")).path])
        let code = try await process.waitForExit()
        #expect(code != 0)
        #expect(process.text.contains("Error") || process.text.contains("error"))
    }
}
