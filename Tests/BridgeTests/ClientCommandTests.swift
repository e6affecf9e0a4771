import Foundation
import JSON
import Testing
import TestSupport

/// The `lockbridge` client's lock, unlock and open against a real bridge: results and exit codes.
@Suite struct ClientCommandTests {
    @Test func unlockWaitsForTheResultAndTheExitCodeSaysWhy() async throws {
        let h = try await BridgeHarness.start(["porch"])
        let unlock = try await h.cli(["unlock", "porch"])
        #expect(unlock.code == 0)
        #expect(unlock.output.contains("unlock porch: ok"))
        _ = try await h.state("porch", "unlocked") { $0["lock"]?.stringValue == "unlocked" }

        // A code set through the client, then required for remote use.
        let owner = try h.secretFile("583920")
        #expect(try await h.cli(["codes", "set", "porch", "--slot", "1", "--name", "Owner", "--new-code-file", owner]).code == 0)
        #expect(try await h.cli(["config", "porch", "--require-code-for-remote", "true", "--code-file", owner]).code == 0)

        let missing = try await h.cli(["unlock", "porch"])
        #expect(missing.code == 3)
        #expect(missing.output.contains("code_required"))
        let wrong = try await h.cli(["unlock", "porch", "--code-file", try h.secretFile("999111")])
        #expect(wrong.code == 3)
        #expect(wrong.output.contains("wrong_code"))
        let weak = try await h.cli(["codes", "set", "porch", "--slot", "2", "--name", "Guest"], environment: ["LOCKBRIDGE_NEW_CODE": "123456", "LOCKBRIDGE_CODE": "583920"])
        #expect(weak.code == 3)
        #expect(weak.output.contains("weak_code"))
        let lock = try await h.cli(["lock", "porch"])
        #expect(lock.code == 0)
        let open = try await h.cli(["open", "porch"], environment: ["LOCKBRIDGE_CODE": "583920"])
        #expect(open.code == 0)
        #expect(open.output.contains("open porch: ok"))
        for run in [unlock, missing, wrong, weak, lock, open] {
            #expect(!run.output.contains("583920") && !run.output.contains("999111") && !run.output.contains("123456"))
        }
        try await h.stop()
    }

    @Test func offlineUnknownAndSilentBridgeExitFour() async throws {
        let h = try await BridgeHarness.start(["shed"])
        let unknown = try await h.cli(["unlock", "nowhere"])
        #expect(unknown.code == 4)
        #expect(unknown.output.contains("not_found"))

        h.emulator?.send(SIGKILL)
        try await h.waitForAvailability("shed", "offline")
        let offline = try await h.cli(["unlock", "shed"])
        #expect(offline.code == 4)
        #expect(offline.output.contains("lock_offline"))

        let silent = try await h.cli(["status", "--timeout", "1", "--base-topic", "\(h.base)-nobody"])
        #expect(silent.code == 4)
        #expect(silent.output.contains("no answer from the bridge"))
        try await h.stop()
    }

    @Test func usageAndConnectionErrorsExitTwoAndSendNothing() async throws {
        let h = try await BridgeHarness.start(["gate"])
        for arguments in [
            ["unlock", "Not A Lock"], ["unlock", "gate", "--code", "583920"], ["factory-reset", "gate", "--confirm", "gat"],
            ["mode", "gate", "sideways"], ["history", "gate", "--since", "yesterday"], ["events"], ["config", "gate"],
        ] {
            let run = try await h.cli(arguments)
            #expect(run.code == 2, "\(arguments)")
            #expect(!run.output.contains("583920"))
        }
        let refused = try await h.cli(["status"], environment: ["LOCKBRIDGE_BROKER": "mqtt://127.0.0.1:1"])
        #expect(refused.code == 2)
        #expect(refused.output.contains("cannot connect to the broker"))

        // None of those reached the lock: the next command's result is the first on the topic.
        #expect(try await h.cli(["refresh", "gate"]).code == 0)
        try await waitUntil(10, "the refresh result") { !h.messages("gate/result").isEmpty }
        #expect(h.messages("gate/result").count == 1)
        try await h.stop()
    }
}
