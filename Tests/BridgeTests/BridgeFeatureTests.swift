import Bridge
import BridgeCore
import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

@Suite struct BridgeFeatureTests {
    func error(_ result: JSONObject) -> String? { result["error"]?.objectValue?["code"]?.stringValue }

    @Test func requestsLocksHealthAndHistory() async throws {
        let h = try await BridgeHarness.start(["den"])
        try await h.sim("den", #"{"action":"key","turn":"unlock"}"#)
        _ = try await h.next("den/event/access", "a key event") { _ in true }
        try await h.client.publish("\(h.base)/bridge/request/history", text: #"{"lock":"den","limit":10,"transaction":"t-1"}"#)
        let history = try await h.next("bridge/response/history", "the history response") { $0["transaction"]?.stringValue == "t-1" }
        #expect(history["status"]?.stringValue == "ok")
        let records = history["data"]?.arrayValue ?? []
        #expect(records.contains { $0.objectValue?["method"]?.stringValue == "mechanical_key" })

        try await h.client.publish("\(h.base)/bridge/request/health", text: "{}")
        let health = try await h.next("bridge/response/health", "the health response") { _ in true }
        #expect(health["data"]?.objectValue?["broker"]?.objectValue?["connected"]?.boolValue == true)
        #expect(health["data"]?.objectValue?["locks"]?.objectValue?["online"]?.intValue == 1)
        #expect(health["data"]?.objectValue?["queues"]?.objectValue?["outbox_undelivered"]?.intValue != nil)

        try await h.client.publish("\(h.base)/bridge/request/locks", text: "{}")
        let locks = try await h.next("bridge/response/locks", "the locks response") { _ in true }
        #expect(locks["data"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == "den")

        try await h.client.publish("\(h.base)/bridge/request/history", text: #"{"limit":5}"#)
        let bad = try await h.next("bridge/response/history", "a refused history request") { $0["status"]?.stringValue == "error" }
        #expect(bad["error"]?.objectValue?["code"]?.stringValue == "invalid_field")
        try await h.stop()
    }

    /// Every published event is confirmed in the outbox after its PUBACK (in batches), so none
    /// is sent again at the next start.
    @Test func theOutboxEmptiesAfterABurstOfEvents() async throws {
        let h = try await BridgeHarness.start(["burst"])
        let turns = 60
        for i in 0..<turns {
            try await h.sim("burst", i.isMultiple(of: 2) ? #"{"action":"key","turn":"unlock"}"# : #"{"action":"key","turn":"lock"}"#)
        }
        try await waitUntil(20, "\(turns) access events") { h.messages("burst/event/access").count >= turns }
        try await waitUntil(10, "outbox_undelivered back to 0") {
            let transaction = UUID().uuidString
            try await h.client.publish("\(h.base)/bridge/request/health", text: #"{"transaction":"\#(transaction)"}"#)
            let health = try await h.next("bridge/response/health", "health \(transaction)") { $0["transaction"]?.stringValue == transaction }
            return health["data"]?.objectValue?["queues"]?.objectValue?["outbox_undelivered"]?.intValue == 0
        }
        try await h.stop()
    }

    @Test func remoteCodesWhenTheLockRequiresThem() async throws {
        let h = try await BridgeHarness.start(["safe"])
        #expect(try await h.command("safe", #"{"command":"set_code","slot":1,"name":"Owner","code":"583920","request_id":"c1"}"#)["status"]?.stringValue == "ok")
        #expect(try await h.command("safe", #"{"command":"set_config","require_code_for_remote":true,"code":"583920","request_id":"c2"}"#)["status"]?.stringValue == "ok")
        #expect(error(try await h.command("safe", #"{"command":"unlock","request_id":"c3"}"#)) == "code_required")
        #expect(error(try await h.command("safe", #"{"command":"unlock","code":"999111","request_id":"c4"}"#)) == "wrong_code")
        #expect(try await h.command("safe", #"{"command":"unlock","code":"583920","request_id":"c5"}"#)["status"]?.stringValue == "ok")
        // Locking never needs the code.
        #expect(try await h.command("safe", #"{"command":"lock","request_id":"c6"}"#)["status"]?.stringValue == "ok")
        try await h.stop()
    }

    /// A keypad-only lock: lockout_risk follows the count of usable ways in, including when the
    /// bridge itself marks the lock offline.
    @Test func lockoutRiskFollowsTheWaysIn() async throws {
        let h = try await BridgeHarness.start(["keyless"], emulator: ["--keyless"])
        @Sendable func risk(_ type: String) -> @Sendable (JSONObject) -> Bool {
            { $0["fault"]?.stringValue == "lockout_risk" && $0["event_type"]?.stringValue == type }
        }
        // Only remote works: no key, no override keyhole, no codes yet.
        _ = try await h.next("keyless/event/fault", "lockout_risk raised", where: risk("fault_raised"))
        #expect(try await h.command("keyless", #"{"command":"set_code","slot":1,"name":"Owner","code":"583920","request_id":"k1"}"#)["status"]?.stringValue == "ok")
        _ = try await h.next("keyless/event/fault", "lockout_risk cleared by a code", where: risk("fault_cleared"))
        // Offline: remote is gone, the keypad is the only way in.
        h.emulator?.send(SIGKILL)
        try await h.waitForAvailability("keyless", "offline")
        _ = try await h.next("keyless/event/fault", "lockout_risk raised when offline", where: risk("fault_raised"))
        let state = try await h.state("keyless", "lockout_risk in the faults") { ($0["faults"]?.arrayValue ?? []).contains("lockout_risk") }
        #expect(state["access"]?.objectValue?["mechanical_key"]?.objectValue?["reason"]?.stringValue == "not_fitted")
        try await h.stop()
    }

    @Test func refreshRepublishesStateAndCredentials() async throws {
        let h = try await BridgeHarness.start(["den"])
        _ = try await h.state("den")
        try await waitUntil(10, "the first credentials") { !h.messages("den/credentials").isEmpty }
        let (states, credentials) = (h.messages("den/state").count, h.messages("den/credentials").count)
        #expect(try await h.command("den", #"{"command":"refresh","request_id":"r1"}"#)["status"]?.stringValue == "ok")
        try await waitUntil(10, "state and credentials again") {
            h.messages("den/state").count > states && h.messages("den/credentials").count > credentials
        }
        try await h.stop()
    }

    @Test func oldCodesAreDueForRotationSlotBySlot() async throws {
        // 0.00003 days is about 2.6 s.
        let h = try await BridgeHarness.start(["office"], bridge: ["--code-rotation-days", "0.00003"])
        _ = try await h.command("office", #"{"command":"set_code","slot":3,"name":"Cleaner","code":"583920","request_id":"r1"}"#)
        let raised = try await h.next("office/event/fault", within: 15, "code_rotation_due raised") {
            $0["fault"]?.stringValue == "code_rotation_due" && $0["event_type"]?.stringValue == "fault_raised"
        }
        #expect(raised["detail"]?.objectValue?["slot"]?.intValue == 3)
        _ = try await h.state("office", "the fault in state") { $0["faults"]?.arrayValue?.contains("code_rotation_due") == true }
        _ = try await h.command("office", #"{"command":"clear_code","slot":3,"request_id":"r2"}"#)
        let cleared = try await h.next("office/event/fault", "code_rotation_due cleared") {
            $0["fault"]?.stringValue == "code_rotation_due" && $0["event_type"]?.stringValue == "fault_cleared"
        }
        #expect(cleared["detail"]?.objectValue?["slot"]?.intValue == 3)
        try await h.stop()
    }

    @Test func batteryAlertsFollowTheLevelsWithHysteresis() async throws {
        let h = try await BridgeHarness.start(["loft"])
        _ = try await h.next("loft/alert/battery", "the first alert") { $0["level"]?.stringValue == "ok" }
        try await h.sim("loft", #"{"action":"battery","percent":19}"#)
        _ = try await h.next("loft/alert/battery", "low") { $0["level"]?.stringValue == "low" }
        _ = try await h.next("loft/event/fault", "battery_low raised") { $0["fault"]?.stringValue == "battery_low" && $0["event_type"]?.stringValue == "fault_raised" }
        try await h.sim("loft", #"{"action":"battery","percent":23}"#)
        _ = try await h.state("loft", "23 %") { $0["battery"]?.objectValue?["percent"]?.intValue == 23 }
        #expect(h.messages("loft/alert/battery").isEmpty, "\(h.messages("loft/alert/battery").map { $0.text ?? "" })")  // still low: no new alert inside the hysteresis band
        try await h.sim("loft", #"{"action":"battery","percent":9}"#)
        let critical = try await h.next("loft/alert/battery", "critical") { $0["level"]?.stringValue == "critical" }
        #expect(critical["percent"]?.intValue == 9)
        try await h.sim("loft", #"{"action":"replace_battery"}"#)
        _ = try await h.next("loft/alert/battery", "ok again") { $0["level"]?.stringValue == "ok" }
        try await h.stop()
    }

    @Test func silenceMeansOfflineAndAHangMeansUnresponsive() async throws {
        let h = try await BridgeHarness.start(["yard"])
        // Hung firmware: heartbeats go on, commands time out, the bridge calls it unresponsive.
        try await h.sim("yard", #"{"action":"glitch","kind":"hang"}"#)
        #expect(error(try await h.command("yard", #"{"command":"unlock","request_id":"h1"}"#)) == "timeout")
        _ = try await h.next("yard/event/fault", "unresponsive raised") { $0["fault"]?.stringValue == "unresponsive" && $0["event_type"]?.stringValue == "fault_raised" }
        #expect(try await h.command("yard", #"{"command":"restart","request_id":"h2"}"#)["status"]?.stringValue == "ok")
        _ = try await h.next("yard/event/fault", "unresponsive cleared") { $0["fault"]?.stringValue == "unresponsive" && $0["event_type"]?.stringValue == "fault_cleared" }
        // A dead battery: no more heartbeats, so the lock goes offline after the timeout.
        try await h.sim("yard", #"{"action":"battery","percent":0}"#)
        try await h.waitForAvailability("yard", "offline", within: 10)
        try await h.stop()
    }

    /// Spec 3.1: with no user command at all, the bridge's signed liveness probe notices a hung
    /// firmware within `probe_interval` (plus the command timeout), and `state.access` says so.
    @Test func theLivenessProbeNoticesAHangWithoutAnyCommand() async throws {
        let h = try await BridgeHarness.start(["shed"], bridge: ["--probe-interval", "2"])
        try await h.sim("shed", #"{"action":"glitch","kind":"hang"}"#)
        let raised = try await h.next("shed/event/fault", within: 12, "unresponsive raised by the probe") {
            $0["fault"]?.stringValue == "unresponsive" && $0["event_type"]?.stringValue == "fault_raised"
        }
        #expect(raised["detail"]?.objectValue?["command"]?.stringValue == "ping")
        #expect(raised["source"]?.stringValue == "bridge" && raised["seq"]?.intValue != nil && raised["epoch"]?.intValue != nil)
        let state = try await h.state("shed", "remote unresponsive in state") {
            $0["access"]?.objectValue?["remote"]?.objectValue?["reason"]?.stringValue == "unresponsive"
        }
        #expect(state["access"]?.objectValue?["mechanical_key"]?.objectValue?["usable"]?.boolValue == true)
        // The key still works on a hung lock: the emulator agrees with the block.
        try await h.sim("shed", #"{"action":"key","turn":"unlock"}"#)
        _ = try await h.next("shed/event/access", "the key turn") { $0["method"]?.stringValue == "mechanical_key" }
        // No user command was sent, so no result was published.
        #expect(h.messages("shed/result").isEmpty)
        try await h.stop()
    }

    @Test func badInputsGetErrorsAndTheBridgeKeepsServing() async throws {
        let h = try await BridgeHarness.start(["a", "b"])
        let huge = String(repeating: "x", count: 1_000_000)
        try await h.client.publish("\(h.base)/a/set", text: #"{"command":"unlock","pad":"\#(huge)"}"#)
        #expect(error(try await h.next("a/result", "the 1 MB payload's result")) == "invalid_json")
        try await h.client.publish("\(h.base)/a/set", text: String(repeating: "[", count: 500) + String(repeating: "]", count: 500))
        #expect(error(try await h.next("a/result", "the deep payload's result")) == "invalid_json")
        try await h.client.publish("\(h.base)/a/set", payload: [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])
        #expect(error(try await h.next("a/result", "the invalid UTF-8 result")) == "invalid_json")
        try await h.client.publish("\(h.base)/a/set", text: #"{"command":"unlock","request_id":5}"#)
        #expect(error(try await h.next("a/result", "the wrong-type result")) == "invalid_field")
        // An invalid lock id gets no reply at all, only a count.
        try await h.client.publish("\(h.base)/NOT VALID/set", text: "UNLOCK")
        #expect(try await h.command("b", #"{"command":"unlock","request_id":"still-here"}"#)["status"]?.stringValue == "ok")
        #expect(h.bridge?.isRunning == true)
        try await h.stop()
    }
}

@Suite struct BridgeConfigTests {
    @Test(arguments: [
        ("colour: red\n", "colour"),
        ("offline_after_s: -1\n", "offline_after_s"),
        ("command_max_age_s: soon\n", "command_max_age_s"),
        ("password: hunter22\n", "password"),
        ("base_topic: a/#\n", "base_topic"),
        ("- just\n- a list\n", "mapping"),
    ])
    func badConfigExitsTwoNamingTheKey(_ yaml: String, _ named: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lockbridge-\(UUID()).yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = try ChildProcess("lockbridge", ["run", "--config", file])
        #expect(try await process.waitForExit() == 2)
        #expect(process.text.contains(named))
        #expect(!process.text.contains("hunter22"))
    }

    /// `cluster:` selects PostgreSQL; a password in it is refused, like the broker's.
    @Test func theClusterSettingNamesPostgresAndNeverAPassword() throws {
        var settings = BridgeConfiguration()
        _ = try settings.apply(yaml: "cluster:\n  postgres: postgres://lb@db:5432/lb\n  takeover_s: 7\n")
        #expect(settings.cluster?.postgres == "postgres://lb@db:5432/lb" && settings.cluster?.takeoverSeconds == 7)
        for bad in ["cluster:\n  postgres: postgres://lb@db/lb\n  password: hunter22\n", "cluster:\n  postgres: x\n  colour: 1\n", "cluster: yes\n"] {
            var other = BridgeConfiguration()
            #expect(throws: ConfigurationError.self) { _ = try other.apply(yaml: bad) }
        }
    }

    /// The shipped example loads, and names every key the parser knows (except the refused `password`).
    @Test func theExampleConfigIsCompleteAndLoads() throws {
        let text = try ShippedBroker.file("config/lockbridge.yaml")
        var settings = BridgeConfiguration()
        _ = try settings.apply(yaml: text)
        let parser = try ShippedBroker.file("Sources/Bridge/BridgeConfiguration+YAML.swift")
        let keys = parser.split(separator: "case \"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
        #expect(keys.count > 15)
        for key in keys where key != "password" {
            // Top-level keys, or the keys of a (commented) mapping such as cluster:.
            let shown = ["\n\(key):", "\n# \(key):", "\n#   \(key):"].contains { text.contains($0) }
            #expect(shown, "config/lockbridge.yaml does not show \(key)")
        }
    }
}
