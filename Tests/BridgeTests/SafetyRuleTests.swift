import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// Every safety rule of spec section 4, each with its error code.
@Suite struct SafetyRuleTests {
    func error(_ result: JSONObject) -> String? { result["error"]?.objectValue?["code"]?.stringValue }

    @Test func retainedCommandsAreRefusedAndCleared() async throws {
        let h = try await BridgeHarness.start(["vault"])
        try await h.client.publish("\(h.base)/vault/set", text: #"{"command":"unlock","request_id":"ret-1"}"#, retain: true)
        let result = try await h.next("vault/result", "the retained_rejected result")
        #expect(error(result) == "retained_rejected")
        // The bridge removed it: a new subscriber finds nothing retained on the set topic.
        let late = try await TestClients.connect(h.broker, "late")
        let retained = try await MessageCollector(late, "\(h.base)/vault/set")
        try await late.publish("\(h.base)/vault/marker", text: "x")
        let markers = try await MessageCollector(late, "\(h.base)/vault/marker2")
        try await late.publish("\(h.base)/vault/marker2", text: "y")
        _ = try await markers.next()
        #expect(retained.messages.filter { !$0.payload.isEmpty }.isEmpty)
        // Exactly one answer: the clear must not come back as another command to reject.
        _ = try await h.command("vault", #"{"command":"refresh","request_id":"after"}"#)
        #expect(h.messages("vault/result").isEmpty, "\(h.messages("vault/result").map { $0.text ?? "" })")
        #expect(!h.messages("vault/event/access").contains { (try? JSON.parseObject($0.payload))?["event_type"]?.stringValue == "unlock" })
        await late.disconnect()
        try await h.stop()
    }

    @Test func staleFutureDuplicateAndMalformedCommands() async throws {
        let h = try await BridgeHarness.start(["shed"])
        let old = RFC3339.format(Date().addingTimeInterval(-120))
        #expect(error(try await h.command("shed", #"{"command":"unlock","request_id":"old","issued_at":"\#(old)"}"#)) == "expired")
        let future = RFC3339.format(Date().addingTimeInterval(60))
        let ahead = try await h.command("shed", #"{"command":"unlock","request_id":"ahead","issued_at":"\#(future)"}"#)
        #expect(error(ahead) == "invalid_field")
        #expect(ahead["error"]?.objectValue?["field"]?.stringValue == "issued_at")

        let first = try await h.command("shed", #"{"command":"unlock","request_id":"dup-1"}"#)
        #expect(first["status"]?.stringValue == "ok")
        let again = try await h.command("shed", #"{"command":"unlock","request_id":"dup-1"}"#)
        #expect(again["duplicate"]?.boolValue == true)
        #expect(again["status"]?.stringValue == "ok")
        try await waitUntil(5, "one remote unlock only") {
            h.messages("shed/event/access").filter { (try? JSON.parseObject($0.payload))?["request_id"]?.stringValue == "dup-1" }.count == 1
        }

        // The same id twice in a row, before the first is answered: one unlock, two results.
        try await h.client.publish("\(h.base)/shed/set", text: #"{"command":"unlock","request_id":"twice"}"#)
        try await h.client.publish("\(h.base)/shed/set", text: #"{"command":"unlock","request_id":"twice"}"#)
        let one = try await h.next("shed/result", "the first twice") { $0["request_id"]?.stringValue == "twice" }
        let two = try await h.next("shed/result", "the second twice") { $0["request_id"]?.stringValue == "twice" }
        #expect([one["duplicate"]?.boolValue, two["duplicate"]?.boolValue].compactMap { $0 } == [true])
        try await waitUntil(5, "exactly one unlock for twice") {
            h.messages("shed/event/access").filter { (try? JSON.parseObject($0.payload))?["request_id"]?.stringValue == "twice" }.count == 1
        }

        let garbage = try await h.command("shed", "{not json")
        #expect(error(garbage) == "invalid_json")
        #expect(garbage["request_id"]?.isNull == true)
        #expect(error(try await h.command("shed", #"{"command":"dance","request_id":"d"}"#)) == "invalid_command")
        #expect(error(try await h.command("shed", #"{"status":"ok","command":"unlock","request_id":"echo"}"#)) == "invalid_command")
        let slot = try await h.command("shed", #"{"command":"clear_code","slot":"two","request_id":"s"}"#)
        #expect(slot["error"]?.objectValue?["field"]?.stringValue == "slot")
        #expect(error(try await h.command("shed", #"{"command":"factory_reset","confirm":"other","request_id":"fr"}"#)) == "invalid_field")
        try await h.stop()
    }

    @Test func weakCodesNeverReachTheLockAndNeverLeak() async throws {
        let h = try await BridgeHarness.start(["cabin"])
        let weak = try await h.command("cabin", #"{"command":"set_code","slot":1,"name":"Guest","code":"123456","request_id":"w1"}"#)
        #expect(error(weak) == "weak_code")
        let good = try await h.command("cabin", #"{"command":"set_code","slot":1,"name":"Guest","code":"583920","request_id":"w2"}"#)
        #expect(good["status"]?.stringValue == "ok")
        _ = try await h.next("cabin/event/credential", "code_set") { $0["event_type"]?.stringValue == "code_set" }
        try await h.sim("cabin", #"{"action":"keypad","code":"583920"}"#)
        _ = try await h.next("cabin/event/access", "a keypad unlock") { $0["method"]?.stringValue == "keypad" && $0["event_type"]?.stringValue == "unlock" }
        // No PIN anywhere the bridge published, nor in its log.
        let published = h.everything.messages.filter { !$0.topic.hasSuffix("/set") }.map { String(decoding: $0.payload, as: UTF8.self) }
        let log = h.bridge?.text ?? ""
        for code in ["583920", "123456"] {
            #expect(!published.contains { $0.contains(code) })
            #expect(!log.contains(code))
        }
        try await h.stop()
    }

    @Test func offlineLocksAnswerAtOnceAndUnknownOnesAreNotFound() async throws {
        let h = try await BridgeHarness.start(["attic"])
        #expect(error(try await h.command("ghost", #"{"command":"unlock","request_id":"g"}"#)) == "not_found")
        try await h.sim("attic", #"{"action":"wifi","up":false}"#)
        try await h.waitForAvailability("attic", "offline")
        let state = try await h.state("attic", "wifi down") { $0["connectivity"]?.objectValue?["wifi"]?.stringValue == "down" }
        #expect(state["access"]?.objectValue?["remote"]?.objectValue?["reason"]?.stringValue == "wifi_down")
        #expect(error(try await h.command("attic", #"{"command":"unlock","request_id":"off"}"#)) == "lock_offline")
        let wifiBack = Date()
        try await h.sim("attic", #"{"action":"wifi","up":true}"#)
        try await h.waitForAvailability("attic", "online")
        // The emulator saves changed locks about once a second: killed before that, it would come
        // back with Wi-Fi down as last saved (a fresh-clone CI run on a busy machine did).
        let saved = h.directory.appendingPathComponent("emulator/lock-attic.json").path
        try await waitUntil(10, "the emulator to save attic with Wi-Fi up") {
            let modified = (try? FileManager.default.attributesOfItem(atPath: saved))?[.modificationDate] as? Date
            return (modified ?? .distantPast) > wifiBack
                && (try? String(contentsOfFile: saved, encoding: .utf8))?.contains(#""wifiUp":true"#) == true
        }

        // The emulator dies: its Last Will takes the lock offline without waiting for heartbeats.
        h.emulator?.send(SIGKILL)
        try await h.waitForAvailability("attic", "offline", within: 10)
        _ = try await h.next("attic/event/fault", "lock_offline raised") { $0["fault"]?.stringValue == "lock_offline" && $0["event_type"]?.stringValue == "fault_raised" }
        try await h.startEmulator()
        try await h.waitForAvailability("attic", "online")
        _ = try await h.next("attic/event/fault", "lock_offline cleared") { $0["fault"]?.stringValue == "lock_offline" && $0["event_type"]?.stringValue == "fault_cleared" }
        try await h.stop()
    }
}
