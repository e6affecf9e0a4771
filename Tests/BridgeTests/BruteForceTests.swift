import Foundation
import JSON
import Testing
import TestSupport

/// Brute force, end to end: wrong codes from the keypad and from remote commands share one
/// counter; `wrong_code_limit` starts a lockout that doubles up to an hour, and all of it holds
/// across a bridge restart and an emulator `kill -9`. Lock time runs 600 times faster, so an
/// hour's lockout passes in 6 s: long enough to restart the bridge inside it; the emulator
/// restarts with lock time five times slower, since it must come up inside it (under a sanitizer
/// lock time runs `TestTime.scale` times slower, as the processes do).
@Suite struct BruteForceTests {
    @Test func theSharedCounterAndTheDoublingLockoutSurviveRestarts() async throws {
        let speed = Int(600 / TestTime.scale)
        let h = try await BridgeHarness.start(["vault"], emulator: ["--time-scale", "\(speed)"])
        let results = try await MessageCollector(h.client, "\(h.prefix)/vault/sim/result")
        let sim = SimTrial(h: h, results: results)
        #expect(try await h.command("vault", #"{"command":"set_code","slot":1,"name":"Owner","code":"583920","request_id":"b1"}"#)["status"]?.stringValue == "ok")
        let config = #"{"command":"set_config","wrong_code_limit":3,"lockout_s":60,"require_code_for_remote":true,"code":"583920","request_id":"b2"}"#
        #expect(try await h.command("vault", config)["status"]?.stringValue == "ok")

        var lengths: [Int64] = []
        for round in 0..<8 {
            // Two wrong codes at the keypad and one in a remote command: the third starts the lockout.
            for _ in 0..<2 { _ = try await sim.run("vault", #"{"action":"keypad","code":"111999"}"#) }
            let remote = try await h.command("vault", #"{"command":"unlock","code":"111999","request_id":"wrong-\#(round)"}"#)
            #expect(remote["error"]?.objectValue?["code"]?.stringValue == "wrong_code", "round \(round)")
            let raised = try await h.next("vault/event/fault", "lockout \(round)") {
                $0["fault"]?.stringValue == "wrong_code_limit" && $0["event_type"]?.stringValue == "fault_raised"
            }
            lengths.append(raised["detail"]?.objectValue?["lockout_s"]?.intValue ?? -1)
            if round == 6 {
                // A bridge restart changes nothing: the lock keeps its own counter and clock.
                h.bridge?.send(SIGTERM)
                _ = try await h.bridge?.waitForExit()
                try await h.startBridge()
                try await expectLockedOut(h, sim, "after a bridge restart")
            }
            if round == 7 {
                h.emulator?.send(SIGKILL)
                _ = try await h.emulator?.waitForExit()
                // Lock time five times slower from here: what is left of the hour's lockout then
                // spans the restart and the checks however busy the machine is (at 600 times,
                // 6 s, a loaded run once restarted the emulator after it had ended).
                try await h.startEmulator(["--time-scale", "\(speed / 5)"])
                try await h.waitForAvailability("vault", "online")
                try await expectLockedOut(h, sim, "after an emulator kill -9")
            }
            // (After the emulator's restart each lock's clock goes on from where it stood, so the
            // lockout it kept ends on time.)
            _ = try await h.next("vault/event/fault", within: round == 7 ? 90 : 40, "the end of lockout \(round)") {
                $0["fault"]?.stringValue == "wrong_code_limit" && $0["event_type"]?.stringValue == "fault_cleared"
            }
        }
        #expect(lengths == [60, 120, 240, 480, 960, 1920, 3600, 3600], "doubling from 60 s, capped at an hour")

        // A good code ends the doubling: the next lockout is 60 s again.
        #expect(try await sim.run("vault", #"{"action":"keypad","code":"583920"}"#)["access"]?.objectValue?["event_type"]?.stringValue == "unlock")
        for _ in 0..<3 { _ = try await sim.run("vault", #"{"action":"keypad","code":"111999"}"#) }
        let again = try await h.next("vault/event/fault", "the lockout after a good code") {
            $0["fault"]?.stringValue == "wrong_code_limit" && $0["event_type"]?.stringValue == "fault_raised"
        }
        #expect(again["detail"]?.objectValue?["lockout_s"]?.intValue == 60)
        try await h.stop()
    }

    /// The right code is refused while the lockout runs, at the keypad and remotely.
    private func expectLockedOut(_ h: BridgeHarness, _ sim: SimTrial, _ when: String) async throws {
        let keypad = try await sim.run("vault", #"{"action":"keypad","code":"583920"}"#)
        #expect(keypad["access"]?.objectValue?["reason"]?.stringValue == "lockout", "keypad \(when)")
        let remote = try await h.command("vault", #"{"command":"unlock","code":"583920","request_id":"locked-\#(UUID().uuidString.prefix(6))"}"#)
        #expect(remote["error"]?.objectValue?["code"]?.stringValue == "lockout_active", "remote \(when)")
    }
}
