import Foundation
import JSON
import LockAPI
import LockCore
import MQTT
import Testing
import TestSupport

/// A whole session of code management, then a scan of everything published and logged.
@Suite struct SecretScanTests {
    @Test func noCodeAppearsAnywhereButTheUsersOwnCommands() async throws {
        let h = try await BridgeHarness.start(["secret"], bridge: ["--log-level", "debug"], emulator: ["--log-level", "debug"])
        // Everything on the broker, device link included.
        let all = try await MessageCollector(h.client, "#")
        let codes = ["583920", "604817", "73915084", "290471", "999111"]
        let steps = [
            #"{"command":"set_code","slot":1,"name":"Anna","code":"583920","request_id":"s1"}"#,
            #"{"command":"set_code","slot":1,"name":"Anna","code":"604817","replace":true,"request_id":"s2"}"#,
            #"{"command":"set_code","slot":2,"name":"Guest","code":"290471","request_id":"s3"}"#,
            #"{"command":"disable_code","slot":2,"request_id":"s4"}"#,
            #"{"command":"enable_code","slot":2,"request_id":"s5"}"#,
            #"{"command":"set_override_code","code":"73915084","request_id":"s6"}"#,
            #"{"command":"set_config","require_code_for_remote":true,"code":"604817","request_id":"s7"}"#,
            #"{"command":"unlock","code":"999111","request_id":"s8"}"#,
            #"{"command":"unlock","code":"604817","request_id":"s9"}"#,
            #"{"command":"clear_code","slot":2,"code":"604817","request_id":"s10"}"#,
            #"{"command":"set_code","slot":3,"name":"Weak","code":"123456","request_id":"s11"}"#,
        ]
        for step in steps { _ = try await h.command("secret", step) }
        try await h.sim("secret", #"{"action":"keypad","code":"604817"}"#)
        try await h.sim("secret", #"{"action":"keypad","code":"73915084"}"#)
        try await h.sim("secret", #"{"action":"keypad","code":"999111"}"#)
        _ = try await h.next("secret/event/access", "the override-code unlock") { $0["method"]?.stringValue == "override_code" }
        try await h.client.publish("\(h.base)/bridge/request/history", text: #"{"lock":"secret"}"#)
        _ = try await h.next("bridge/response/history", "the history") { _ in true }
        try await h.stop()

        // Only the user's own commands and the physical keypad may carry a code.
        let scanned = all.messages.filter { !$0.topic.hasSuffix("/set") && !$0.topic.hasSuffix("/sim") }
        #expect(scanned.count > 50)
        let logs = (h.bridge?.text ?? "") + (h.emulator?.text ?? "")
        #expect(logs.contains("debug"))
        for code in codes {
            let leaks = scanned.filter { String(decoding: $0.payload, as: UTF8.self).contains(code) }.map(\.topic)
            #expect(leaks.isEmpty, "code found on \(leaks)")
            #expect(!logs.contains(code), "code found in a log")
        }

        // Nor as a hash to brute-force: the lock's own salted hash of each code (from the salt
        // and rounds its snapshot publishes) appears nowhere, the device link included, and the
        // commands that carried a code carried it sealed (spec 3.2).
        let snapshot = try #require(all.messages.last { $0.topic == "\(h.prefix)/secret/state" })
        let o = try JSON.parseObject(snapshot.payload)
        let salt = try #require(Hex.decode(try o.string("salt")))
        let hasher = CodeHasher(iterations: try o.int("kdf_iterations"))
        for code in codes {
            let hash = Hex.encode(hasher.hash(code: code, salt: salt).rawBytes)
            #expect(!all.messages.contains { String(decoding: $0.payload, as: UTF8.self).contains(hash) }, "a hash of a code was published")
        }
        let commands = all.messages.filter { $0.topic == "\(h.prefix)/secret/cmd" }.map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(commands.filter { $0.contains(#""new_code_enc":"#) }.count >= 4)
        #expect(!commands.contains { $0.contains("code_hash") })
    }
}
