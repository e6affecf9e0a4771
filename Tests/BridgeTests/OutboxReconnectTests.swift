import Foundation
import JSON
import MQTT
import Testing
import TestSupport

/// The outbox empties after a reconnect, not only at the next start of the bridge.
@Suite struct OutboxReconnectTests {
    /// `queues.outbox_undelivered` from the bridge's `health` request, and its reconnect count.
    /// Polls call it with `try?`: a request made while the test client reconnects may be answered
    /// before the client has subscribed again, and is then asked again.
    func health(_ h: BridgeHarness) async throws -> (undelivered: Int64?, reconnects: Int64?) {
        let transaction = UUID().uuidString
        try await h.client.publish("\(h.base)/bridge/request/health", text: #"{"transaction":"\#(transaction)"}"#, qos: .atLeastOnce)
        let response = try await h.next("bridge/response/health", within: 5, "the health response \(transaction)") {
            $0["transaction"]?.stringValue == transaction
        }
        let data = response["data"]?.objectValue
        return (data?["queues"]?.objectValue?["outbox_undelivered"]?.intValue, data?["broker"]?.objectValue?["reconnects"]?.intValue)
    }

    /// The broker refuses the bridge's fault events (PUBACK 0x87) until its ACL is fixed and it
    /// restarts: the refused record must go out after the reconnect, not wait for a bridge restart.
    ///
    /// What is checked is the bridge's part: the broker accepts the record (the outbox empties) with
    /// no bridge restart. Delivery to a persistent subscriber across the restart is the broker's
    /// part, and not reliable: seen here with mosquitto 2.0.11, a subscriber whose session the
    /// restarted broker restored from its file did not get a message that was published (and
    /// acknowledged) before the subscriber had reconnected; the bridge resends at once on connect.
    @Test func aRefusedEventGoesOutAfterTheReconnect() async throws {
        let refusing = "topic deny +/lockbridge/+/event/fault\ntopic readwrite #\n"
        let h = try await BridgeHarness.start(
            ["porch"], brokerOptions: BrokerOptions(acl: refusing, persistence: true, extraConfig: ["allow_anonymous true"]))
        try await h.sim("porch", #"{"action":"tamper"}"#)
        try await h.explained {
            try await waitUntil(10, "the refused tamper event to count as undelivered", every: .milliseconds(100)) {
                (try await health(h).undelivered ?? 0) >= 1
            }
            // Refused, and not sent again while the connection lasts.
            try await waitUntil(5, "the refusal to be seen") { h.bridge?.text.contains("publish not confirmed") == true }
            #expect(try await health(h).undelivered == 1)
        }

        try "topic readwrite #\n".write(to: h.broker.directory.appendingPathComponent("acl"), atomically: true, encoding: .utf8)
        try await h.broker.restart()
        try await h.explained {
            try await waitUntil(20, "outbox_undelivered 0 without a bridge restart", every: .milliseconds(100)) {
                guard let now = try? await health(h) else { return false }
                return now.undelivered == 0 && (now.reconnects ?? 0) >= 1
            }
        }
        #expect(h.bridge?.isRunning == true)
        try await h.stop()
    }

    /// The field case: broker restarts under load. At each shutdown mosquitto sends the emulator's
    /// Last Will, so the bridge raises `lock_offline` for every lock at once, and a publish that
    /// meets the connection just as the broker closes it fails with a broken pipe. That is a race:
    /// without the resend this test failed in about one run in five here (1 to 19 records left);
    /// the refused-event test above fails every time.
    @Test func brokerRestartsUnderLoadLeaveNothingUndelivered() async throws {
        let locks = (1...20).map { "porch\($0)" }
        let h = try await BridgeHarness.start(locks, brokerOptions: BrokerOptions(persistence: true))
        let accessEvents: @Sendable () -> Int = { h.everything.messages.count { $0.topic.hasSuffix("/event/access") } }
        // Key turns on every lock, as fast as the broker acknowledges them.
        let traffic = Task {
            var turn = 0
            while !Task.isCancelled {
                for lock in locks { try? await h.sim(lock, #"{"action":"key","turn":"\#(turn % 2 == 0 ? "unlock" : "lock")"}"#) }
                turn += 1
            }
        }
        let restarts = 8
        for round in 1...restarts {
            try await h.broker.restart()
            let seen = accessEvents()
            try await h.explained {
                try await waitUntil(30, "access events flowing again after broker restart \(round)") { accessEvents() >= seen + 20 }
            }
        }
        traffic.cancel()
        await traffic.value

        // The bridge keeps running: the outbox must drain through the reconnects alone.
        let deadline = ContinuousClock.now + .seconds(15)
        var undelivered = try? await health(h).undelivered
        while undelivered != 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))  // poll until the deadline
            undelivered = try? await health(h).undelivered
        }
        #expect(undelivered == 0, "outbox_undelivered still \(undelivered.map(String.init) ?? "unknown") 15 s after the last broker restart")
        #expect(h.bridge?.isRunning == true)
        #expect(try await health(h).reconnects ?? 0 >= Int64(restarts))
        try await h.stop()
    }
}
