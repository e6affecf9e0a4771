import Foundation
import JSON
import Testing
import TestSupport

/// The `lockbridge` client's views: status, events, history and credential lists.
@Suite struct ClientViewTests {
    @Test func statusShowsEveryLockAndOneInDetail() async throws {
        let h = try await BridgeHarness.start(["attic", "cellar"])
        try await h.sim("cellar", #"{"action":"battery","percent":15}"#)
        _ = try await h.state("cellar", "battery low") { $0["battery"]?.objectValue?["level"]?.stringValue == "low" }

        let table = try await h.cli(["status"])
        #expect(table.code == 0)
        let rows = table.output.split(separator: "\n")
        #expect(rows.first?.hasPrefix("LOCK") == true)
        #expect(rows.contains { $0.hasPrefix("attic ") && $0.contains("online") && $0.contains("100% ok") })
        #expect(rows.contains { $0.hasPrefix("cellar ") && $0.contains("15% low") })

        let detail = try await h.cli(["status", "cellar"])
        #expect(detail.output.contains("cellar: online"))
        #expect(detail.output.contains("ways in ("))
        #expect(detail.output.contains("keypad   not usable: no_credentials"))

        let json = try await h.cli(["status", "attic", "--json"])
        let object = try JSON.parseObject(json.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object["id"]?.stringValue == "attic")
        #expect(object["availability"]?.stringValue == "online")
        #expect(object["access"]?.objectValue?["mechanical_key"]?.objectValue?["usable"]?.boolValue == true)
        let all = try await h.cli(["status", "--json"])
        let ids = (try JSON.parse(all.output.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []).compactMap { $0.objectValue?["id"]?.stringValue }
        #expect(ids == ["attic", "cellar"])
        #expect(try await h.cli(["status", "nowhere"]).code == 4)
        try await h.stop()
    }

    @Test func eventsShowThePastThenFollowFiltered() async throws {
        let h = try await BridgeHarness.start(["hall"])
        try await h.sim("hall", #"{"action":"key","turn":"unlock"}"#)
        _ = try await h.next("hall/event/access", "the key event") { _ in true }

        let follow = try h.startCLI(["events", "hall", "--follow", "--limit", "1", "--count", "2", "--category", "access", "--json"])
        try await follow.waitForOutput("mechanical_key")  // the past comes first, once subscribed
        try await h.sim("hall", #"{"action":"battery","percent":9}"#)
        _ = try await h.next("hall/event/fault", "a battery fault") { _ in true }
        try await h.sim("hall", #"{"action":"key","turn":"lock"}"#)
        try await h.sim("hall", #"{"action":"button","command":"unlock"}"#)
        #expect(try await follow.waitForExit(within: 15) == 0)
        let lines = follow.text.split(separator: "\n").compactMap { try? JSON.parseObject(String($0)) }
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0["category"]?.stringValue == "access" && $0["lock"]?.stringValue == "hall" })
        #expect(lines.map { $0["method"]?.stringValue } == ["mechanical_key", "mechanical_key", "button"])

        let history = try await h.cli(["history", "hall", "--since", "1h"])
        #expect(history.code == 0)
        #expect(history.output.contains("hall  access      unlock by mechanical_key"))
        #expect(history.output.contains("battery_critical raised"))
        let none = try await h.cli(["history", "hall", "--since", "2099-01-01T00:00:00Z"])
        #expect(none.output.contains("no events for hall"))
        try await h.stop()
    }

    @Test func credentialsAndAdministration() async throws {
        let h = try await BridgeHarness.start(["studio"])
        let code = try h.secretFile("604817")
        #expect(try await h.cli(["codes", "set", "studio", "--slot", "4", "--name", "Cleaner", "--new-code-file", code]).code == 0)
        #expect(try await h.cli(["codes", "disable", "studio", "--slot", "4"]).code == 0)
        let list = try await h.cli(["codes", "list", "studio"])
        let row = list.output.split(separator: "\n").first { $0.contains("Cleaner") }?.split(separator: " ").map(String.init)
        #expect(row?.prefix(6) == ["4", "Cleaner", "unrestricted", "-", "no", "no"], "\(list.output)")
        #expect(!list.output.contains("604817"))
        // A scheduled code from the flags; a window needs all three of them.
        let night = try h.secretFile("720415")
        let scheduled = try await h.cli([
            "codes", "set", "studio", "--slot", "5", "--name", "Night", "--type", "scheduled", "--days", "fri,sat", "--from", "22:00", "--to", "02:00",
            "--new-code-file", night,
        ])
        #expect(scheduled.code == 0, "\(scheduled.output)")
        let listed = try await h.cli(["codes", "list", "studio"]).output
        #expect(listed.contains("scheduled") && listed.contains("fri,sat 22:00-02:00"), "\(listed)")
        let half = try await h.cli(["codes", "set", "studio", "--slot", "6", "--name", "X", "--days", "fri", "--from", "22:00", "--new-code-file", night])
        #expect(half.code == 2 && half.output.contains("--days, --from and --to go together"), "\(half.output)")
        let bad = try await h.cli(["codes", "set", "studio", "--slot", "6", "--name", "X", "--days", "friday", "--from", "22:00", "--to", "23:00", "--new-code-file", night])
        #expect(bad.code == 2 && bad.output.contains("days are mon"), "\(bad.output)")
        #expect(try await h.cli(["codes", "clear", "studio", "--slot", "5"]).code == 0)
        #expect(try await h.cli(["codes", "enable", "studio", "--slot", "4"]).code == 0)
        #expect(try await h.cli(["codes", "set-override", "studio", "--new-code-file", try h.secretFile("73915284")]).code == 0)
        #expect(try await h.cli(["codes", "clear", "studio", "--slot", "4"]).code == 0)
        #expect(try await h.cli(["codes", "list", "studio"]).output.contains("no codes on studio"))

        #expect(try await h.cli(["phones", "add", "studio", "--id", "anna-pixel", "--name", "Anna"]).code == 0)
        let phones = try await h.cli(["phones", "list", "studio", "--json"])
        #expect(phones.output.contains(#""id":"anna-pixel""#))
        #expect(try await h.cli(["phones", "revoke", "studio", "--id", "anna-pixel"]).code == 0)
        // Phones and fobs take the same restrictions, but never one_time or duress.
        let guest = try await h.cli(["phones", "add", "studio", "--id", "guest", "--name", "Guest", "--days", "sat", "--from", "10:00", "--to", "11:00"])
        #expect(guest.code == 0, "\(guest.output)")
        let listedPhones = try await h.cli(["phones", "list", "studio"]).output
        #expect(listedPhones.contains("scheduled") && listedPhones.contains("sat 10:00-11:00"), "\(listedPhones)")
        let once = try await h.cli(["phones", "add", "studio", "--id", "x", "--name", "X", "--type", "one_time"])
        #expect(once.code == 2 && once.output.contains("type one_time is for keypad codes only"), "\(once.output)")
        #expect(try await h.cli(["phones", "revoke", "studio", "--id", "guest"]).code == 0)

        let enroll = try h.startCLI(["fobs", "enroll", "studio", "--name", "Blue fob"])
        _ = try await h.next("studio/event/credential", "enrolment started") { $0["event_type"]?.stringValue == "enrolment_started" }
        try await h.sim("studio", #"{"action":"fob","fob_id":"04:a2:19:7c"}"#)
        #expect(try await enroll.waitForExit(within: 15) == 0)
        #expect(enroll.text.contains("enroll_fob studio: ok"))
        let fobs = try await h.cli(["fobs", "list", "studio"])
        #expect(fobs.output.contains("Blue fob"))

        #expect(try await h.cli(["mode", "studio", "vacation"]).code == 0)
        _ = try await h.state("studio", "vacation mode") { $0["mode"]?.stringValue == "vacation" }
        #expect(try await h.cli(["restart", "studio"]).code == 0)
        #expect(try await h.cli(["factory-reset", "studio", "--confirm", "studio"]).code == 0)
        _ = try await h.next("studio/event/system", "the factory reset") { $0["event_type"]?.stringValue == "factory_reset" }
        #expect(try await h.cli(["fobs", "list", "studio"]).output.contains("no fobs on studio"))
        try await h.stop()
    }
}
