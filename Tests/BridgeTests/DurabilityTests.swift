import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// Nothing is lost or done twice across crashes, restarts and broker outages.
@Suite struct DurabilityTests {
    /// Distinct access-event seqs the test has seen for `lock`.
    func seqs(_ h: BridgeHarness, _ lock: String) -> Set<Int64> {
        Set(h.messages("\(lock)/event/access").compactMap { try? JSON.parseObject($0.payload)["seq"]?.intValue })
    }

    @Test func bridgeKillNineLosesNoEventAndNeverActuatesTwice() async throws {
        let h = try await BridgeHarness.start(["door"], brokerOptions: BrokerOptions(persistence: true))
        let first = try await h.command("door", #"{"command":"unlock","request_id":"once"}"#)
        #expect(first["status"]?.stringValue == "ok")
        for i in 0..<40 { try await h.sim("door", #"{"action":"key","turn":"\#(i % 2 == 0 ? "lock" : "unlock")"}"#) }
        h.bridge?.send(SIGKILL)
        _ = try await h.bridge?.waitForExit()
        // More events while the bridge is dead: they wait in its persistent session.
        for i in 0..<10 { try await h.sim("door", #"{"action":"key","turn":"\#(i % 2 == 0 ? "lock" : "unlock")"}"#) }
        try await h.startBridge()
        // Every number from 1 on, none missing (a sim delivered twice may add one more).
        try await waitUntil(20, "all 51 access events (seq 1…51)") { let all = seqs(h, "door"); return all.count >= 51 && all == Set(1...(all.max() ?? 0)) }

        // The same request id after the crash: the original result, marked duplicate, and no second unlock.
        let again = try await h.command("door", #"{"command":"unlock","request_id":"once"}"#)
        #expect(again["duplicate"]?.boolValue == true)
        let remote = h.messages("door/event/access").filter { (try? JSON.parseObject($0.payload))?["request_id"]?.stringValue == "once" }
        #expect(Set(remote.compactMap { try? JSON.parseObject($0.payload)["seq"]?.intValue }).count == 1)
        try await h.stop()
    }

    /// A command on its way to the lock when the bridge dies: retrying its id afterwards must not
    /// reach the lock a second time, since nobody knows whether the first one did.
    @Test func aCommandInFlightAtACrashIsNeverSentTwice() async throws {
        let h = try await BridgeHarness.start(["vault"])
        let sent = try await MessageCollector(h.client, "\(h.prefix)/vault/cmd")
        try await h.sim("vault", #"{"action":"glitch","kind":"hang"}"#)
        try await h.client.publish("\(h.base)/vault/set", text: #"{"command":"unlock","request_id":"mid-air"}"#, qos: .atLeastOnce)
        try await waitUntil(10, "the command on its way to the lock") { sent.messages.count == 1 }
        h.bridge?.send(SIGKILL)
        _ = try await h.bridge?.waitForExit()
        try await h.startBridge()

        let again = try await h.command("vault", #"{"command":"unlock","request_id":"mid-air"}"#)
        #expect(again["duplicate"]?.boolValue == true)
        #expect(again["error"]?.objectValue?["code"]?.stringValue == "timeout")
        // A command sent after the retry proves the retry's own command would have arrived by now.
        _ = try await h.command("vault", #"{"command":"lock","request_id":"after"}"#)
        #expect(sent.messages.filter { $0.text?.contains("mid-air") == true }.count == 1)
        try await h.stop()
    }

    @Test func brokerRestartMidStreamLosesNoEvent() async throws {
        let h = try await BridgeHarness.start(["gate"], brokerOptions: BrokerOptions(persistence: true))
        // The watcher keeps a persistent session too, so it misses nothing while the broker is away.
        let watcher = try await TestClients.connect(h.broker, "watcher") {
            $0.cleanStart = false
            $0.sessionExpiry = 600
            $0.reconnectDelay = .milliseconds(50) ... .milliseconds(500)
        }
        let events = try await MessageCollector(watcher, "\(h.base)/gate/event/access")
        for i in 0..<30 { try await h.sim("gate", #"{"action":"key","turn":"\#(i % 2 == 0 ? "unlock" : "lock")"}"#) }
        try await h.broker.restart()
        for i in 0..<30 { try await h.sim("gate", #"{"action":"key","turn":"\#(i % 2 == 0 ? "unlock" : "lock")"}"#) }
        let seen: @Sendable () -> Set<Int64> = { Set(events.messages.compactMap { try? JSON.parseObject($0.payload)["seq"]?.intValue }) }
        // Every number from 1 on, none missing (a sim delivered twice across the restart may add one).
            try await waitUntil(30, "every seq 1…60 at the watcher") { let all = seen(); return all.count >= 60 && all == Set(1...(all.max() ?? 0)) }
        await watcher.disconnect()
        try await h.stop()
    }

    @Test func commandsQueuedWhileTheBridgeWasAwayMustProveTheyAreFresh() async throws {
        let h = try await BridgeHarness.start(["hall"], brokerOptions: BrokerOptions(persistence: true))
        h.bridge?.send(SIGTERM)
        #expect(try await h.bridge?.waitForExit() == 0)
        try await h.client.publish("\(h.base)/hall/set", text: #"{"command":"unlock","request_id":"stale-plain"}"#)
        try await h.client.publish("\(h.base)/hall/set", text: #"{"command":"unlock","request_id":"fresh","issued_at":"\#(BridgeHarness.issuedNow())"}"#)
        try await h.startBridge()
        let stale = try await h.next("hall/result", "the queued command without issued_at") { $0["request_id"]?.stringValue == "stale-plain" }
        #expect(stale["error"]?.objectValue?["code"]?.stringValue == "expired")
        let fresh = try await h.next("hall/result", "the queued fresh command") { $0["request_id"]?.stringValue == "fresh" }
        #expect(fresh["status"]?.stringValue == "ok")
        try await h.stop()
    }
}
