import Foundation
import MQTT
import Testing
import TestSupport

@Suite struct WillAndReconnectTests {
    @Test func willIsPublishedWhenTheClientIsKilled() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let watcher = try await TestClients.connect(broker, "will-watcher")
        let wills = try await MessageCollector(watcher, "\(base)/will")
        let helper = try ChildProcess("mqtt-test-helper", [broker.url, "\(base)/will", "gone"])
        try await helper.waitForOutput("ready")
        #expect(wills.messages.isEmpty)
        helper.send(SIGKILL)
        let will = try await wills.next(within: 10, "the Last Will")
        #expect(will.text == "gone")
        await watcher.disconnect()
        try await broker.stop()
    }

    @Test func cleanDisconnectDoesNotPublishTheWill() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let watcher = try await TestClients.connect(broker, "will-watcher")
        let inbox = try await MessageCollector(watcher, "\(base)/#")
        let client = try await TestClients.connect(broker, "will-clean") {
            $0.will = MQTTWill(topic: "\(base)/will", text: "gone", retain: false)
        }
        await client.disconnect()
        // A marker published after the disconnect proves the will would have arrived by now.
        try await watcher.publish("\(base)/marker", text: "after")
        _ = try await inbox.next(where: { $0.topic == "\(base)/marker" })
        #expect(!inbox.messages.contains { $0.topic == "\(base)/will" })
        await watcher.disconnect()
        try await broker.stop()
    }

    @Test func reconnectsRestoresSubscriptionsAndDeliversWhatWasPublishedDuringTheOutage() async throws {
        let broker = try await Broker.start(BrokerOptions(persistence: true))
        let base = TestNames.baseTopic()
        // Persistent sessions for both sides, as the bridge uses them.
        let persistent: (inout MQTTConfiguration) -> Void = {
            $0.cleanStart = false
            $0.sessionExpiry = 300
            $0.reconnectDelay = .milliseconds(50) ... .milliseconds(400)
        }
        let subscriber = try MosquittoClient(configuration: try { var c = try TestClients.configuration(broker, "sub"); persistent(&c); return c }(), logger: TestClients.logger)
        let events = subscriber.connectionEvents()
        let inbox = try await MessageCollector(subscriber, "\(base)/data")
        try await subscriber.connect()
        let publisher = try await TestClients.connect(broker, "pub", adjust: persistent)

        try await publisher.publish("\(base)/data", text: "before")
        _ = try await inbox.next(where: { $0.text == "before" })

        try await broker.stop()
        // Published while the broker is down: queued in the client, sent after the reconnect,
        // each exactly once (libmosquitto keeps its own copy of a refused publish).
        let pending = Task {
            for i in 1...3 { try await publisher.publish("\(base)/data", text: "during-\(i)", qos: .atLeastOnce) }
        }
        try await broker.startAgain()
        try await pending.value

        try await waitUntil(15, "the messages published during the outage") { inbox.messages.contains { $0.text == "during-3" } }
        #expect(inbox.messages.first { $0.text == "during-3" }?.qos == .atLeastOnce)

        // Listeners were told about the drop and the return.
        var seen: [ConnectionEvent] = []
        for await event in events {
            seen.append(event)
            if seen.count == 3 { break }
        }
        #expect(seen.first == .connected(sessionPresent: false))
        #expect(seen.dropFirst().contains { if case .disconnected = $0 { true } else { false } })
        #expect(seen.last == .connected(sessionPresent: true))

        // And the restored subscription keeps working for new messages.
        try await publisher.publish("\(base)/data", text: "after")
        try await waitUntil(10, "the message after the outage") { inbox.messages.contains { $0.text == "after" } }
        for i in 1...3 { #expect(inbox.messages.filter { $0.text == "during-\(i)" }.count == 1, "during-\(i) arrived once") }
        #expect(subscriber.statistics.connects >= 2)
        await subscriber.disconnect()
        await publisher.disconnect()
        try await broker.stop()
    }

    @Test func subscriptionsAreRestoredWhenTheBrokerLostTheSession() async throws {
        // No persistence: the broker forgets every session when it restarts.
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let client = try await TestClients.connect(broker, "forgetful") {
            $0.reconnectDelay = .milliseconds(50) ... .milliseconds(400)
        }
        let inbox = try await MessageCollector(client, "\(base)/x")
        let events = client.connectionEvents()
        try await broker.restart()
        for await event in events where event == .connected(sessionPresent: false) { break }
        let other = try await TestClients.connect(broker, "other")
        try await other.publish("\(base)/x", text: "again")
        let again = try await inbox.next(within: 10, "a message on the restored subscription")
        #expect(again.text == "again")
        await client.disconnect()
        await other.disconnect()
        try await broker.stop()
    }
}
