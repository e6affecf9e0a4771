import Foundation
import JSON
import MQTT
import Testing
import TestSupport

/// The product's promise, end to end: every ordinary failure crossed with the six ways in. In
/// each cell the `access` block of `state` must say what trying that way on the emulator does.
/// The test writes the matrix into docs/reliability.md from what it saw.
@Suite struct WaysInMatrixTests {
    static let code = "583920"
    static let fob = "04:a2:19:7c"
    static let phone = "anna-pixel"
    static let ways = ["remote", "keypad", "ble_phone", "fob", "mechanical_key", "override"]

    /// A failure: what the test does to a lock that has every credential, and when its state is
    /// ready to read.
    struct Failure: Sendable {
        var name: String
        var sims: [String] = []
        var commands: [String] = []
        /// The lock's state shows the failure (the bridge has caught up).
        var shown: @Sendable (JSONObject) -> Bool = { _ in true }
    }

    static func reason(_ way: String, _ text: String) -> @Sendable (JSONObject) -> Bool {
        { $0["access"]?.objectValue?[way]?.objectValue?["reason"]?.stringValue == text }
    }

    static let failures: [Failure] = [
        Failure(name: "nothing wrong"),
        Failure(name: "dead battery", sims: [#"{"action":"battery","percent":0}"#], shown: reason("keypad", "battery_depleted")),
        Failure(
            name: "dead battery, backup power", sims: [#"{"action":"battery","percent":0}"#, #"{"action":"backup_power","connected":true}"#],
            shown: { $0["battery"]?.objectValue?["backup_power"]?.boolValue == true }),
        Failure(name: "Wi-Fi down", sims: [#"{"action":"wifi","up":false}"#], shown: reason("remote", "wifi_down")),
        Failure(name: "BLE down", sims: [#"{"action":"ble","up":false}"#], shown: reason("ble_phone", "ble_down")),
        Failure(name: "firmware crash", sims: [#"{"action":"glitch","kind":"crash"}"#]),
        Failure(name: "firmware hang", sims: [#"{"action":"glitch","kind":"hang"}"#], shown: reason("remote", "unresponsive")),
        Failure(
            name: "jammed bolt", sims: [#"{"action":"glitch","kind":"jam"}"#, #"{"action":"button","command":"lock"}"#],
            shown: { $0["lock"]?.stringValue == "jammed" }),
        Failure(name: "lost phone revoked", commands: [#"{"command":"revoke_phone","id":"anna-pixel"}"#], shown: reason("ble_phone", "no_credentials")),
        Failure(name: "lost fob revoked", commands: [#"{"command":"revoke_fob","slot":1}"#], shown: reason("fob", "no_credentials")),
        Failure(name: "code forgotten (cleared)", commands: [#"{"command":"clear_code","slot":1}"#], shown: reason("keypad", "no_credentials")),
        Failure(name: "lockout after wrong codes", sims: Array(repeating: #"{"action":"keypad","code":"111999"}"#, count: 5), shown: reason("keypad", "lockout")),
        Failure(name: "mode vacation", commands: [#"{"command":"set_mode","mode":"vacation"}"#], shown: { $0["mode"]?.stringValue == "vacation" }),
        Failure(name: "mode privacy", commands: [#"{"command":"set_mode","mode":"privacy"}"#], shown: { $0["mode"]?.stringValue == "privacy" }),
        Failure(name: "mode no_remote", commands: [#"{"command":"set_mode","mode":"no_remote"}"#], shown: { $0["mode"]?.stringValue == "no_remote" }),
        Failure(name: "mode passage", commands: [#"{"command":"set_mode","mode":"passage"}"#], shown: { $0["mode"]?.stringValue == "passage" }),
    ]

    /// One cell: what `state.access` said, and what trying the way did.
    struct Cell: Sendable {
        var said: Bool
        var reason: String?
        var worked: Bool
        var answer: String
    }

    @Test func everyFailureCrossedWithEveryWayIn() async throws {
        let locks = Self.failures.indices.map { "m\($0)" }
        let h = try await BridgeHarness.start(locks, bridge: ["--probe-interval", "1"])
        let simResults = try await MessageCollector(h.client, "\(h.prefix)/+/sim/result")
        let sim = SimTrial(h: h, results: simResults)
        for lock in locks { try await equip(h, sim, lock) }

        var rows: [(Failure, [Cell], JSONObject)] = []
        for (index, failure) in Self.failures.enumerated() {
            let lock = locks[index]
            for action in failure.sims { _ = try await sim.run(lock, action) }
            for (n, command) in failure.commands.enumerated() {
                var o = try JSON.parseObject(command)
                o["request_id"] = .string("fail-\(lock)-\(n)")
                let result = try await h.command(lock, try o.serialized())
                #expect(result["status"]?.stringValue == "ok", "\(failure.name): \(command)")
            }
            let state = try await h.state(lock, within: 15, "\(failure.name) shown in state", where: failure.shown)
            var cells: [Cell] = []
            for way in Self.ways {
                let access = state["access"]?.objectValue?[way]?.objectValue
                let said = access?["usable"]?.boolValue == true
                let (worked, answer) = try await attempt(h, sim, lock, way, index)
                cells.append(Cell(said: said, reason: access?["reason"]?.stringValue, worked: worked, answer: answer))
                #expect(said == worked, "\(failure.name) × \(way): state says \(said ? "usable" : "not usable (\(access?["reason"]?.stringValue ?? "?"))"), trying it: \(answer)")
            }
            let usable = cells.filter(\.said).count
            #expect(usable >= 1, "\(failure.name): no way in left")
            let faults = (state["faults"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect((usable < 2) == faults.contains("lockout_risk"), "\(failure.name): \(usable) usable, faults \(faults)")
            rows.append((failure, cells, state))
        }
        try await h.stop()
        try Self.writeMatrix(rows)
    }

    /// A code in slot 1, a phone, a fob in slot 1 and the override code: every way in equipped.
    private func equip(_ h: BridgeHarness, _ sim: SimTrial, _ lock: String) async throws {
        #expect(try await h.command(lock, #"{"command":"set_code","slot":1,"name":"Owner","code":"\#(Self.code)","request_id":"eq-code-\#(lock)"}"#)["status"]?.stringValue == "ok")
        #expect(try await h.command(lock, #"{"command":"add_phone","id":"\#(Self.phone)","name":"Anna","request_id":"eq-phone-\#(lock)"}"#)["status"]?.stringValue == "ok")
        try await h.client.publish("\(h.base)/\(lock)/set", text: #"{"command":"enroll_fob","name":"Blue","slot":1,"request_id":"eq-fob-\#(lock)"}"#)
        try await waitUntil(10, "the enrolment window of \(lock)") {
            (try? JSON.parseObject(h.messages("\(lock)/event/credential").last?.payload ?? []))?["event_type"]?.stringValue == "enrolment_started"
        }
        _ = try await sim.run(lock, #"{"action":"fob","fob_id":"\#(Self.fob)"}"#)
        _ = try await h.next("\(lock)/result", "the fob enrolment of \(lock)") { $0["request_id"]?.stringValue == "eq-fob-\(lock)" }
    }

    /// Tries one way in; whether it opened, and what the lock or bridge answered.
    private func attempt(_ h: BridgeHarness, _ sim: SimTrial, _ lock: String, _ way: String, _ index: Int) async throws -> (Bool, String) {
        if way == "remote" {
            let result = try await h.command(lock, #"{"command":"unlock","request_id":"try-\#(lock)","issued_at":"\#(BridgeHarness.issuedNow())"}"#)
            let error = result["error"]?.objectValue?["code"]?.stringValue
            return (result["status"]?.stringValue == "ok", error ?? "ok")
        }
        let action = switch way {
        case "keypad": #"{"action":"keypad","code":"\#(Self.code)"}"#
        case "ble_phone": #"{"action":"phone","id":"\#(Self.phone)","command":"unlock"}"#
        case "fob": #"{"action":"fob","fob_id":"\#(Self.fob)"}"#
        case "mechanical_key": #"{"action":"key","turn":"unlock"}"#
        default: #"{"action":"override_key"}"#
        }
        let result = try await sim.run(lock, action)
        guard let access = result["access"]?.objectValue else { return (false, "no answer") }
        let granted = ["unlock", "open"].contains(access["event_type"]?.stringValue ?? "")
        return (granted, granted ? "opened" : access["reason"]?.stringValue ?? "refused")
    }

    /// Writes the table between the markers in docs/reliability.md.
    static func writeMatrix(_ rows: [(Failure, [Cell], JSONObject)]) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/reliability.md").path
        var table = "| failure | " + ways.joined(separator: " | ") + " | usable | lockout_risk |\n"
        table += "|---|" + ways.map { _ in "---|" }.joined() + "---:|---|\n"
        for (failure, cells, state) in rows {
            let faults = (state["faults"]?.arrayValue ?? []).compactMap(\.stringValue)
            table += "| \(failure.name) | " + cells.map { cell in
                (cell.said ? "yes" : "no (\(cell.reason ?? "?"))") + (cell.said == cell.worked ? "" : " **tried: \(cell.answer)**")
            }.joined(separator: " | ") + " | \(cells.filter(\.said).count)/6 | \(faults.contains("lockout_risk") ? "raised" : "-") |\n"
        }
        let begin = "<!-- ways-in matrix: written by Tests/BridgeTests/WaysInMatrixTests.swift; do not edit by hand -->"
        let end = "<!-- end of ways-in matrix -->"
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if let from = text.range(of: begin), let to = text.range(of: end, range: from.upperBound..<text.endIndex) {
            text.replaceSubrange(from.lowerBound..<to.upperBound, with: "\(begin)\n\(table)\(end)")
        } else {
            text += "\n\(begin)\n\(table)\(end)\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// A sim action and the emulator's `sim/result` for it, which says what the lock did with an
/// attempt to get in even while the lock is cut off.
struct SimTrial: Sendable {
    let h: BridgeHarness
    let results: MessageCollector

    func run(_ lock: String, _ json: String) async throws -> JSONObject {
        let topic = "\(h.prefix)/\(lock)/sim/result"
        let before = results.messages.count { $0.topic == topic }
        try await h.sim(lock, json)
        try await waitUntil(10, "the sim result of \(json) on \(lock)") { results.messages.count { $0.topic == topic } > before }
        return try JSON.parseObject(results.messages.filter { $0.topic == topic }[before].payload)
    }
}
