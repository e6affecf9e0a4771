import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// Schedules, one-time and duress codes through the real emulator, bridge and broker (spec
/// 7.1). The lock's clock is set with the `clock` sim action, so a week passes in seconds.
@Suite struct ScheduleFlowTests {
    static func ok(_ result: JSONObject, _ what: String) {
        #expect(result["status"]?.stringValue == "ok", "\(what): \(result)")
    }

    /// The cleaner's code, Tuesday and Friday 08:00–12:00 in Europe/Berlin, over the week in
    /// which summer time begins (Sunday 2027-03-28). Expected times are written out in UTC:
    /// the window is 07:00–11:00Z before the change and 06:00–10:00Z after it.
    @Test func theCleanersCodeOpensExactlyInsideItsWindows() async throws {
        let h = try await BridgeHarness.start(["front-door"])
        let sim = SimTrial(h: h, results: try await MessageCollector(h.client, "\(h.prefix)/front-door/sim/result"))
        Self.ok(try await h.command("front-door", #"{"command":"set_config","timezone":"Europe/Berlin","request_id":"s1"}"#), "timezone")
        Self.ok(try await h.command("front-door", #"""
            {"command":"set_code","slot":2,"name":"Cleaner","code":"305817","type":"scheduled",
             "schedule":[{"days":["tue","fri"],"from":"08:00","to":"12:00"}],"request_id":"s2"}
            """#), "set_code")
        let trials: [(String, Bool)] = [
            ("2027-03-23T06:59:00Z", false), ("2027-03-23T07:00:00Z", true), ("2027-03-23T10:59:00Z", true), ("2027-03-23T11:00:00Z", false),
            ("2027-03-24T08:30:00Z", false), ("2027-03-26T07:30:00Z", true), ("2027-03-27T08:30:00Z", false), ("2027-03-29T07:00:00Z", false),
            ("2027-03-30T05:59:00Z", false), ("2027-03-30T06:00:00Z", true), ("2027-03-30T09:59:00Z", true), ("2027-03-30T10:00:00Z", false),
        ]
        for (time, opens) in trials {
            _ = try await sim.run("front-door", #"{"action":"clock","at":"\#(time)"}"#)
            let result = try await sim.run("front-door", #"{"action":"keypad","code":"305817"}"#)
            let access = result["access"]?.objectValue
            #expect(access?["event_type"]?.stringValue == (opens ? "unlock" : "unlock_failed"), "\(time): \(result)")
            if !opens { #expect(access?["reason"]?.stringValue == "outside_schedule", "\(time)") }
            _ = try await sim.run("front-door", #"{"action":"key","turn":"lock"}"#)
        }
        // The state follows the lock's clock: outside the windows the keypad is `outside_schedule`.
        _ = try await sim.run("front-door", #"{"action":"clock","at":"2027-03-31T09:00:00Z"}"#)
        let state = try await h.state("front-door", "keypad outside its schedule") {
            $0["access"]?.objectValue?["keypad"]?.objectValue?["reason"]?.stringValue == "outside_schedule"
        }
        #expect(state["faults"]?.arrayValue?.contains("wrong_code_limit") != true, "outside a window is no wrong code")
        // A power loss loses the lock's clock; the bridge sets it again, and the windows work again.
        _ = try await sim.run("front-door", #"{"action":"battery","percent":0}"#)
        _ = try await sim.run("front-door", #"{"action":"battery","percent":90}"#)
        _ = try await sim.run("front-door", #"{"action":"clock","at":"2027-03-30T07:00:00Z"}"#)
        do {
            try await waitUntil(10, "the bridge to set the lock's clock", every: .milliseconds(250)) {
                let result = try await sim.run("front-door", #"{"action":"keypad","code":"305817"}"#)
                return result["access"]?.objectValue?["event_type"]?.stringValue == "unlock"
            }
        } catch {
            Issue.record("\(error); last attempt: \(sim.results.messages.last?.text ?? ""); states: \(h.messages("front-door/state").suffix(2).compactMap(\.text))")
            throw error
        }
        let codes = try await h.next("front-door/credentials", "the code's schedule") { o in
            o["codes"]?.arrayValue?.contains { $0.objectValue?["slot"]?.intValue == 2 } == true
        }["codes"]?.arrayValue
        let cleaner = codes?.first { $0.objectValue?["slot"]?.intValue == 2 }?.objectValue
        #expect(cleaner?["type"]?.stringValue == "scheduled")
        #expect(cleaner?["schedule"]?.arrayValue?.first?.objectValue?["from"]?.stringValue == "08:00")
        try await h.stop()
    }

    /// It opens once; `code_used_up` follows; after a `kill -9` of the emulator right after the
    /// use, it still does not open again.
    @Test func aOneTimeCodeOpensOnceEvenAcrossAnEmulatorCrash() async throws {
        let h = try await BridgeHarness.start(["shed"])
        let sim = SimTrial(h: h, results: try await MessageCollector(h.client, "\(h.prefix)/shed/sim/result"))
        Self.ok(try await h.command("shed", #"{"command":"set_code","slot":4,"name":"Plumber","code":"640271","type":"one_time","request_id":"o1"}"#), "set_code")
        let first = try await sim.run("shed", #"{"action":"keypad","code":"640271"}"#)
        #expect(first["access"]?.objectValue?["event_type"]?.stringValue == "unlock")
        #expect(first["access"]?.objectValue?["credential"]?.objectValue?["one_time"]?.boolValue == true)
        h.emulator?.send(SIGKILL)
        _ = try await h.emulator?.waitForExit()
        _ = try await h.next("shed/event/credential", "code_used_up") { $0["event_type"]?.stringValue == "code_used_up" && $0["slot"]?.intValue == 4 }
        try await h.startEmulator()
        try await h.waitForAvailability("shed", "online")
        _ = try await sim.run("shed", #"{"action":"key","turn":"lock"}"#)
        let second = try await sim.run("shed", #"{"action":"keypad","code":"640271"}"#)
        #expect(second["access"]?.objectValue?["event_type"]?.stringValue == "unlock_failed", "\(second)")
        let credentials = try await h.next("shed/credentials", "the used-up slot") { o in
            o["codes"]?.arrayValue?.contains { $0.objectValue?["used_up"]?.boolValue == true } == true
        }
        let slot = credentials["codes"]?.arrayValue?.first?.objectValue
        #expect(slot?["enabled"]?.boolValue == false && slot?["usable_now"]?.boolValue == false)
        let rearm = try await h.command("shed", #"{"command":"enable_code","slot":4,"request_id":"o2"}"#)
        #expect(rearm["error"]?.objectValue?["code"]?.stringValue == "invalid_field")
        try await h.stop()
    }

    /// A duress code opens like a normal one; the only trace is the alert on `alert/duress`
    /// (not retained) and in the history. Lock `calm` has the same code as a normal one.
    @Test func aDuressCodeIsSilentEverywhereButTheAlert() async throws {
        let h = try await BridgeHarness.start(["calm", "tense"])
        let sim = SimTrial(h: h, results: try await MessageCollector(h.client, "\(h.prefix)/+/sim/result"))
        Self.ok(try await h.command("calm", #"{"command":"set_code","slot":6,"name":"Anna","code":"915372","request_id":"d1"}"#), "calm")
        Self.ok(try await h.command("tense", #"{"command":"set_code","slot":6,"name":"Anna","code":"915372","type":"duress","request_id":"d2"}"#), "tense")
        let before = h.everything.messages.count
        for lock in ["calm", "tense"] {
            let result = try await sim.run(lock, #"{"action":"keypad","code":"915372"}"#)
            #expect(result["access"]?.objectValue?["event_type"]?.stringValue == "unlock", "\(lock)")
        }
        let alert = try await h.next("tense/alert/duress", "the duress alert") { $0["slot"]?.intValue == 6 }
        #expect(Set(alert.keys) == ["slot", "at", "seq"])
        _ = try await h.state("tense", "unlocked") { $0["lock"]?.stringValue == "unlocked" }
        _ = try await h.state("calm", "unlocked") { $0["lock"]?.stringValue == "unlocked" }
        let after = Array(h.everything.messages.dropFirst(before))
        #expect(!after.contains { $0.topic == "\(h.base)/calm/alert/duress" })
        #expect(after.filter { $0.topic.hasSuffix("/alert/duress") }.allSatisfy { !$0.retain })
        // What the use changed is the same on both locks, times aside. (The locks differ before:
        // a duress code is not counted as a way in, spec 7.1.)
        let earlier = Array(h.everything.messages.prefix(before))
        for suffix in ["state", "credentials", "event/access", "availability", "alert/battery"] {
            func change(_ lock: String) -> [String: String] {
                let topic = "\(h.base)/\(lock)/\(suffix)"
                return Self.changes(earlier.last { $0.topic == topic }?.payload, after.last { $0.topic == topic }?.payload)
            }
            #expect(change("calm") == change("tense"), "what the use changed on \(suffix) differs")
        }
        #expect(!after.contains { $0.topic.hasPrefix(h.base) && !$0.topic.hasSuffix("/alert/duress") && $0.text?.contains("duress") == true })
        // The history has it, for whoever may read the audit log.
        let history = try await h.cli(["history", "tense", "--json"])
        #expect(history.output.contains(#""category":"alert""#), "\(history.output)")
        // Acknowledged with an unrestricted code: on the same topic, marked, and in the history.
        Self.ok(try await h.command("tense", #"{"command":"set_code","slot":1,"name":"Owner","code":"480913","request_id":"d3"}"#), "owner")
        let refused = try await h.command("tense", #"{"command":"ack_fault","fault":"duress","auth_code":"915372","request_id":"d4"}"#)
        #expect(refused["error"]?.objectValue?["code"]?.stringValue == "wrong_code")
        Self.ok(try await h.command("tense", #"{"command":"ack_fault","fault":"duress","auth_code":"480913","request_id":"d5"}"#), "ack")
        let acknowledged = try await h.next("tense/alert/duress", "the acknowledgement") { $0["acknowledged"]?.boolValue == true }
        #expect(acknowledged["slot"]?.intValue == 6)
        // Only the user's own commands on `set` carry the code.
        let published: String = h.everything.messages.filter { !$0.topic.hasSuffix("/set") }.compactMap(\.text).joined()
        let logs: String = (h.bridge?.text ?? "") + (h.emulator?.text ?? "")
        let seen = (published + logs).contains("915372")
        #expect(!seen, "the code appeared in a message or a log")
        try await h.stop()
    }

    /// Each top-level field whose value (times aside) differs between two payloads of one topic.
    static func changes(_ before: [UInt8]?, _ after: [UInt8]?) -> [String: String] {
        let old = before.flatMap { try? JSON.parseObject(Array(timeless($0).utf8)) } ?? [:]
        let new = after.flatMap { try? JSON.parseObject(Array(timeless($0).utf8)) } ?? [:]
        var out: [String: String] = [:]
        for key in Set(old.keys + new.keys) where old[key] != new[key] {
            let value: JSONObject = ["v": new[key] ?? .null]
            out[key] = (try? value.serialized()) ?? "?"
        }
        return out
    }

    /// A payload with its times, seqs and request ids taken out (they differ between two locks).
    static func timeless(_ payload: [UInt8]) -> String {
        guard var o = try? JSON.parseObject(payload) else { return String(decoding: payload, as: UTF8.self) }
        func strip(_ value: JSONValue) -> JSONValue {
            if var object = value.objectValue {
                for key in ["at", "seq", "epoch", "last_seen", "updated_at", "set_at", "last_used_at", "rotate_by", "request_id"] {
                    object[key] = nil
                }
                for key in object.keys { object[key] = strip(object[key]!) }
                return .object(object)
            }
            if let list = value.arrayValue { return .array(list.map(strip)) }
            return value
        }
        o = strip(.object(o)).objectValue!
        return (try? o.serialized()) ?? ""
    }
}
