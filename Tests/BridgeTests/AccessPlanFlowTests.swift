import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// Access plans through the real client, bridge, emulator and broker (spec 7.2).
@Suite struct AccessPlanFlowTests {
    static let cleanerCode = "305817"
    static let walkerCode = "640271"

    /// The cleaner's plan over 50 locks, 5 of them offline: the client's wait reports 45 in
    /// sync and 5 pending; those follow once back; drift is put back, a disabled slot is not
    /// re-enabled; removal clears exactly the plan's slots.
    @Test(.timeLimit(.minutes(TestTime.minutes(4)))) func aPlanOverFiftyLocksWithFiveOffline() async throws {
        let ids = (0..<50).map { "door-\($0 < 10 ? "0" : "")\($0)" }
        let h = try await BridgeHarness.start(ids)
        let plans = try await MessageCollector(h.client, "\(h.base)/bridge/plan/+")
        let events = try await MessageCollector(h.client, "\(h.base)/bridge/event/plan")
        // The owner's own code in slot 1 of door-00: the plan must leave it alone.
        ScheduleFlowTests.ok(try await h.command("door-00", #"{"command":"set_code","slot":1,"name":"Owner","code":"480913","request_id":"own"}"#), "owner")
        let offline = Array(ids.suffix(5))
        for id in offline { try await h.sim(id, #"{"action":"wifi","up":false}"#) }
        for id in offline { try await h.waitForAvailability(id, "offline") }

        let file = try Self.planFile(h, ids)
        // A file that others may read is refused before anything is sent.
        chmod(file, 0o644)
        let loose = try await h.cli(["plan", "apply", file])
        #expect(loose.code == 2 && loose.output.contains("chmod 600"), "\(loose.output)")
        chmod(file, 0o600)

        let applied = try await h.cli(["plan", "apply", file, "--wait", "--wait-timeout", "10"], within: 60)
        #expect(applied.code == 4, "\(applied.output)")
        #expect(applied.output.contains("45/50 in sync, 5 pending"), "\(applied.output)")
        #expect(applied.output.contains("[####"), "a progress bar: \(applied.output)")
        let credentials = try await h.next("door-00/credentials", "door-00 with the plan's slots") { Self.planSlots($0).count == 2 }
        let codes = credentials["codes"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(codes.first { $0["slot"]?.intValue == 1 }?["plan"] == nil, "the owner's slot is not the plan's")
        #expect(Set(Self.planSlots(credentials).map(\.slot)) == [2, 3], "the plan took the next free slots: \(codes)")

        for id in offline { try await h.sim(id, #"{"action":"wifi","up":true}"#) }
        _ = try await h.explained {
            try await plans.next(within: 40, "all 50 in sync") { Self.json($0).flatMap(Self.summary)?["in_sync"] == 50 }
        }
        let status = try await h.cli(["plan", "status", "cleaning"])
        #expect(status.code == 0 && status.output.contains("50/50 in sync"), "\(status.output)")
        #expect(status.output.contains("door-49  in_sync"), "\(status.output)")

        // Someone disables door-11's cleaner slot: drift, and it stays disabled.
        let slot11 = try await Self.cleanerSlot(h, "door-11")
        ScheduleFlowTests.ok(try await h.command("door-11", #"{"command":"disable_code","slot":\#(slot11),"request_id":"dis"}"#), "disable")
        _ = try await h.explained {
            try await plans.next(within: 10, "door-11 in drift") { Self.json($0).flatMap { Self.lockStatus($0, "door-11") } == "drift" }
        }
        // Someone rewrites door-10's cleaner slot: drift, then the plan puts it back.
        let slot10 = try await Self.cleanerSlot(h, "door-10")
        ScheduleFlowTests.ok(try await h.command("door-10", #"""
            {"command":"set_code","slot":\#(slot10),"name":"Intruder","code":"719384","replace":true,"request_id":"rw"}
            """#), "rewrite")
        _ = try await events.next(within: 10, "drift on door-10") { Self.json($0).map { Self.event($0, "drift", "door-10") } == true }
        _ = try await events.next(within: 10, "enforced on door-10") { Self.json($0).map { Self.event($0, "enforced", "door-10") } == true }
        let restored = try await h.next("door-10/credentials", "the cleaner back on door-10") { o in
            Self.planSlots(o).contains { $0.slot == slot10 && $0.name == "Cleaner" }
        }
        #expect(Self.planSlots(restored).count == 1)
        let door11 = try JSON.parseObject(h.messages("door-11/credentials").last!.payload)
        #expect(door11["codes"]?.arrayValue?.compactMap(\.objectValue).first { $0["slot"]?.intValue == Int64(slot11) }?["enabled"]?.boolValue == false)
        #expect(!events.messages.contains { Self.json($0).map { Self.event($0, "enforced", "door-11") } == true })

        // Removal clears exactly the plan's slots, everywhere, and the status topic.
        let removed = try await h.cli(["plan", "remove", "cleaning"])
        #expect(removed.code == 0, "\(removed.output)")
        _ = try await h.explained {
            try await plans.next(within: 40, "the plan's status cleared") { $0.payload.isEmpty }
        }
        for id in ids {
            let last = try JSON.parseObject(h.messages("\(id)/credentials").last!.payload)
            #expect(Self.planSlots(last).isEmpty, "\(id) still has plan slots")
        }
        let owner = try JSON.parseObject(h.messages("door-00/credentials").last!.payload)
        #expect(owner["codes"]?.arrayValue?.compactMap(\.objectValue).map { $0["name"]?.stringValue } == ["Owner"], "\(owner)")
        // Codes travel only in the user's own commands and the plan request: never published by
        // the bridge, never logged.
        let published = h.everything.messages.filter { !$0.topic.hasSuffix("/set") && !$0.topic.contains("/bridge/request/") }.compactMap(\.text).joined()
        let logs = (h.bridge?.text ?? "") + (h.emulator?.text ?? "")
        for code in [Self.cleanerCode, Self.walkerCode] { #expect(!(published + logs + applied.output).contains(code), "a plan code leaked") }
        try await h.stop()
    }

    /// A `kill -9` of the bridge in the middle of reconciling: after the restart every lock
    /// ends in sync, and none received the plan's write twice.
    @Test(.timeLimit(.minutes(TestTime.minutes(3)))) func aBridgeKilledWhileReconcilingFinishesWithoutWritingTwice() async throws {
        let ids = (1...16).map { "unit-\($0)" }
        // Slow hashing on the locks, one write at a time: the kill lands mid-way.
        let h = try await BridgeHarness.start(ids, bridge: ["--plan-parallel", "1"], emulator: ["--hash-iterations", "400000"])
        let commands = try await MessageCollector(h.client, "\(h.prefix)/+/cmd")
        let plans = try await MessageCollector(h.client, "\(h.base)/bridge/plan/+")
        let file = try Self.planFile(h, ids)
        let applied = try await h.cli(["plan", "apply", file])
        #expect(applied.code == 0, "\(applied.output)")
        _ = try await h.explained {
            try await plans.next(within: 30, "a few locks in sync") { (Self.json($0).flatMap(Self.summary)?["in_sync"] ?? 0) >= 3 }
        }
        h.bridge?.send(SIGKILL)
        _ = try await h.bridge?.waitForExit(within: 10)
        let atKill = Self.json(plans.messages.last!).flatMap(Self.summary)?["in_sync"] ?? 0
        #expect(atKill < 16, "the kill came after the end")
        try await h.startBridge()
        do {
            _ = try await h.explained {
                try await plans.next(within: 90, "all 16 in sync after the restart") { Self.json($0).flatMap(Self.summary)?["in_sync"] == 16 }
            }
        } catch {
            // Which locks were not, as the last status said.
            let last = plans.messages.last.flatMap(Self.json)
            let behind = ids.filter { id in last.flatMap { Self.lockStatus($0, id) } != "in_sync" }
            let statuses = behind.map { id in "\(id)=\(last.flatMap { Self.lockStatus($0, id) } ?? "?")" }
            Issue.record("not in sync: \(statuses)")
            throw error
        }
        // The store holds the plan only sealed: no file of the data directory has a code in it,
        // and the key is outside the database, readable by its owner only.
        let data = h.directory.appendingPathComponent("bridge")
        for name in try FileManager.default.contentsOfDirectory(atPath: data.path) where name != "plan.key" {
            let bytes = try Data(contentsOf: data.appendingPathComponent(name))
            for code in [Self.cleanerCode, Self.walkerCode] { #expect(bytes.range(of: Data(code.utf8)) == nil, "\(name) holds a plan code") }
        }
        let mode = try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("plan.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        for id in ids {
            let writes = commands.messages.filter { $0.topic == "\(h.prefix)/\(id)/cmd" && Self.json($0)?["command"]?.stringValue == "set_code" }
            #expect(writes.count == 1, "\(id) got \(writes.count) writes")
        }
        try await h.stop()
    }

    /// The refusals: a weak code refuses the whole plan before any lock is touched; a retained
    /// request is refused and cleared; a lock that needs a code is `needs_auth` until the plan
    /// comes again with it; a repeated `request_id` is not applied twice; a dry run changes nothing.
    @Test(.timeLimit(.minutes(TestTime.minutes(2)))) func refusalsDryRunsAndAuthCodes() async throws {
        let h = try await BridgeHarness.start(["hall", "vault"])
        let commands = try await MessageCollector(h.client, "\(h.prefix)/+/cmd")
        let responses = try await MessageCollector(h.client, "\(h.base)/bridge/response/plan/apply")
        ScheduleFlowTests.ok(try await h.command("vault", #"{"command":"set_code","slot":1,"name":"Owner","code":"480913","request_id":"v1"}"#), "owner")
        ScheduleFlowTests.ok(try await h.command("vault", #"{"command":"set_config","require_code_for_remote":true,"request_id":"v2"}"#), "require")

        func request(_ walkerCode: String, id: String, retain: Bool = false) async throws {
            let body = """
                {"plan": {"name": "guests", "grants": [
                   {"name": "Cleaner", "code": "\(Self.cleanerCode)", "locks": ["hall", "vault"]},
                   {"name": "Dog walker", "code": "\(walkerCode)", "locks": ["hall"]}]},
                 "issued_at": "\(BridgeHarness.issuedNow())", "request_id": "\(id)", "transaction": "\(id)"}
                """
            try await h.client.publish("\(h.base)/bridge/request/plan/apply", text: body, qos: .atLeastOnce, retain: retain)
        }
        func response(_ id: String) async throws -> JSONObject {
            try await h.explained {
                Self.json(try await responses.next(within: 10, "the answer to \(id)") { Self.json($0)?["transaction"]?.stringValue == id })!
            }
        }
        try await request("123456", id: "weak")
        let weak = try await response("weak")
        #expect(weak["error"]?.objectValue?["code"]?.stringValue == "weak_code", "\(weak)")
        #expect(weak["error"]?.objectValue?["message"]?.stringValue?.contains("Dog walker") == true, "\(weak)")
        #expect(!commands.messages.contains { Self.json($0)?["plan"] != nil }, "a lock was touched")

        try await request(Self.walkerCode, id: "kept", retain: true)
        let retained = try await response("kept")
        #expect(retained["error"]?.objectValue?["code"]?.stringValue == "retained_rejected", "\(retained)")
        let cleared = try await MessageCollector(h.client, "\(h.base)/bridge/request/plan/apply")
        try await waitUntil(5, "the retained request to be gone") { cleared.messages.isEmpty }

        // A dry run names the unknown lock and the slots it would take, and changes nothing.
        let file = h.directory.appendingPathComponent("guests.yaml").path
        func write(_ authCodes: String) {
            let yaml = """
                name: guests
                grants:
                  - {name: Cleaner, code: "\(Self.cleanerCode)", locks: [hall, vault, ghost]}
                \(authCodes)
                """
            FileManager.default.createFile(atPath: file, contents: Data(yaml.utf8), attributes: [.posixPermissions: 0o600])
        }
        write("")
        let dry = try await h.cli(["plan", "apply", file, "--dry-run"])
        #expect(dry.code == 0 && dry.output.contains("ghost") && dry.output.contains("(not_found)"), "\(dry.output)")
        #expect(dry.output.contains("hall   Cleaner  add"), "\(dry.output)")
        #expect(!commands.messages.contains { Self.json($0)?["plan"] != nil }, "a dry run touched a lock")

        let refused = try await h.cli(["plan", "apply", file, "--wait", "--wait-timeout", "4"], within: 30)
        #expect(refused.code == 4, "ghost stays pending: \(refused.output)")
        #expect(refused.output.contains("vault  needs_auth") && refused.output.contains("code_required"), "\(refused.output)")
        write("auth_codes: {vault: \"480913\"}")
        let again = try await h.cli(["plan", "apply", file, "--wait", "--wait-timeout", "4"], within: 30)
        #expect(again.output.contains("vault  in_sync"), "\(again.output)")
        #expect(!again.output.contains("480913"))

        // The same request_id twice: one application, the first answer again.
        try await request(Self.walkerCode, id: "twice")
        let first = try await response("twice")
        try await request(Self.walkerCode, id: "twice")
        let second = try await response("twice")
        #expect(first["error"] == nil || first["error"] == .null, "\(first)")
        #expect(second["data"]?.objectValue?["duplicate"]?.boolValue == true, "\(second)")
        try await h.stop()
    }

    // MARK: helpers

    /// The plan's YAML, mode 0600: the cleaner on every lock (a group), the dog walker on door-00.
    static func planFile(_ h: BridgeHarness, _ ids: [String]) throws -> String {
        let yaml = """
            name: cleaning
            enforce: true
            groups:
              all-doors: [\(ids.joined(separator: ", "))]
            grants:
              - name: Cleaner
                code: "\(cleanerCode)"
                locks: [all-doors]
                type: scheduled
                schedule:
                  - days: [tue, fri]
                    from: 08:00
                    to: 12:00
              - name: Dog walker
                code: \(walkerCode)
                locks: [door-00]
                valid_until: 2099-03-01T00:00:00Z
            """
        let path = h.directory.appendingPathComponent("cleaning.yaml").path
        FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }

    static func planSlots(_ credentials: JSONObject) -> [(slot: Int, name: String)] {
        (credentials["codes"]?.arrayValue ?? []).compactMap(\.objectValue).compactMap { code in
            guard code["plan"]?.stringValue == "cleaning", let slot = code["slot"]?.intValue else { return nil }
            return (Int(slot), code["name"]?.stringValue ?? "")
        }
    }

    static func cleanerSlot(_ h: BridgeHarness, _ lock: String) async throws -> Int {
        let credentials = try await h.next("\(lock)/credentials", "\(lock) with the cleaner") { o in
            planSlots(o).contains { $0.name == "Cleaner" }
        }
        return planSlots(credentials).first { $0.name == "Cleaner" }!.slot
    }

    static func json(_ message: MQTTMessage) -> JSONObject? { try? JSON.parseObject(message.payload) }

    static func summary(_ status: JSONObject) -> [String: Int64]? {
        guard let o = status["summary"]?.objectValue else { return nil }
        var out: [String: Int64] = [:]
        for (key, value) in o { out[key] = value.intValue }
        return out
    }

    static func lockStatus(_ status: JSONObject, _ lock: String) -> String? {
        status["locks"]?.objectValue?[lock]?.objectValue?["status"]?.stringValue
    }

    static func event(_ o: JSONObject, _ name: String, _ lock: String) -> Bool {
        o["event_type"]?.stringValue == name && o["lock"]?.stringValue == lock
    }
}
