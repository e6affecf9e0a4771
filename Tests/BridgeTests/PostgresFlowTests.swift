import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// The bridge on PostgreSQL (spec 8, `--postgres`), through real processes: the same public API,
/// with the audit log, the request-id memory and the plans in the database, across a restart.
@Suite struct PostgresFlowTests {
    @Test(.timeLimit(.minutes(TestTime.minutes(2)))) func oneBridgeOnPostgresKeepsItsHistoryAndMemoryAcrossARestart() async throws {
        let postgres = try await Postgres.start()
        let h = try await BridgeHarness.start(["porch"], bridge: ["--postgres", postgres.url])
        #expect(h.bridge?.text.contains("store: PostgreSQL") == true)
        let unlock = #"{"command":"unlock","request_id":"pg-1","issued_at":"\#(BridgeHarness.issuedNow())"}"#
        ScheduleFlowTests.ok(try await h.command("porch", unlock), "unlock")
        _ = try await h.next("porch/event/access", "the unlock") { $0["event_type"]?.stringValue == "unlock" }
        // Nothing was written to SQLite: the data directory holds no database.
        let data = h.directory.appendingPathComponent("bridge")
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("lockbridge.sqlite").path))

        try await h.restartBridge()
        let history = try await h.cli(["history", "porch", "--json"])
        #expect(history.code == 0 && history.output.contains(#""event_type":"unlock""#), "\(history.output)")
        // The same request id after the restart: answered from the database, not actuated again.
        let again = try await h.command("porch", #"{"command":"unlock","request_id":"pg-1","issued_at":"\#(BridgeHarness.issuedNow())"}"#)
        #expect(again["duplicate"]?.boolValue == true, "\(again)")
        try await h.stop()
        try await postgres.stop()
    }
}
