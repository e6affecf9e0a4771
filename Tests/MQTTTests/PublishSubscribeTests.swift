import MQTT
import Testing
import TestSupport

@Suite struct PublishSubscribeTests {
    @Test func qos0AndQos1RoundTrip() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let client = try await TestClients.connect(broker, "pubsub")
        let inbox = try await MessageCollector(client, "\(base)/#")
        try await client.publish("\(base)/zero", text: "hello 0", qos: .atMostOnce)
        try await client.publish("\(base)/one", text: "hello 1", qos: .atLeastOnce)
        let zero = try await inbox.next(where: { $0.topic == "\(base)/zero" })
        let one = try await inbox.next(where: { $0.topic == "\(base)/one" })
        #expect(zero.text == "hello 0")
        #expect(zero.qos == .atMostOnce)
        #expect(one.text == "hello 1")
        #expect(one.qos == .atLeastOnce)
        #expect(!one.retain)
        await client.disconnect()
        try await broker.stop()
    }

    @Test func retainFlagIsSeenOnDelivery() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let publisher = try await TestClients.connect(broker, "retain-pub")
        try await publisher.publish("\(base)/kept", text: "retained", qos: .atLeastOnce, retain: true)

        // A new subscriber gets the stored message with the flag set.
        let late = try await TestClients.connect(broker, "retain-late")
        let lateInbox = try await MessageCollector(late, "\(base)/#")
        let stored = try await lateInbox.next()
        #expect(stored.retain)
        #expect(stored.text == "retained")

        // Live delivery clears the flag, unless the subscriber asks for Retain-As-Published.
        let rap = try await TestClients.connect(broker, "retain-rap")
        let rapInbox = try await MessageCollector(rap, "\(base)/live", options: SubscribeOptions(retainAsPublished: true))
        try await publisher.publish("\(base)/live", text: "live", qos: .atLeastOnce, retain: true)
        let plain = try await lateInbox.next(where: { $0.topic == "\(base)/live" })
        let published = try await rapInbox.next(where: { $0.topic == "\(base)/live" })
        #expect(!plain.retain)
        #expect(published.retain)
        for client in [publisher, late, rap] { await client.disconnect() }
        try await broker.stop()
    }

    @Test func severalSubscriptionsAreLiveAtOnce() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let client = try await TestClients.connect(broker, "multi")
        let all = try await MessageCollector(client, "\(base)/#")
        let onlyA = try await MessageCollector(client, "\(base)/a/+")
        try await client.publish("\(base)/a/1", text: "a")
        try await client.publish("\(base)/b/1", text: "b")
        _ = try await all.collect(2)
        let a = try await onlyA.next()
        #expect(a.topic == "\(base)/a/1")
        #expect(onlyA.messages.isEmpty)
        // Overlapping filters on one client must not deliver a message twice.
        #expect(all.messages.map(\.topic).sorted() == ["\(base)/a/1", "\(base)/b/1"])
        await client.disconnect()
        try await broker.stop()
    }

    @Test func mqtt5PropertiesRoundTrip() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let responder = try await TestClients.connect(broker, "responder")
        let requester = try await TestClients.connect(broker, "requester")
        let requests = try await MessageCollector(responder, "\(base)/request")
        let replies = try await MessageCollector(requester, "\(base)/reply/+")
        let correlation: [UInt8] = [0, 1, 2, 254, 255]
        try await requester.publish(
            "\(base)/request", text: "ping",
            properties: MQTTProperties(
                responseTopic: "\(base)/reply/r1", correlationData: correlation, contentType: "text/plain",
                messageExpiry: 60, userProperties: [UserProperty("trace", "abc"), UserProperty("trace", "def")]))
        let request = try await requests.next()
        #expect(request.properties.responseTopic == "\(base)/reply/r1")
        #expect(request.properties.correlationData == correlation)
        #expect(request.properties.contentType == "text/plain")
        #expect((1...60).contains(request.properties.messageExpiry ?? 0))
        #expect(request.properties.userProperties == [UserProperty("trace", "abc"), UserProperty("trace", "def")])
        try await responder.publish(
            request.properties.responseTopic!, text: "pong",
            properties: MQTTProperties(correlationData: request.properties.correlationData))
        let reply = try await replies.next()
        #expect(reply.text == "pong")
        #expect(reply.properties.correlationData == correlation)
        await responder.disconnect()
        await requester.disconnect()
        try await broker.stop()
    }
}

@Suite struct LoopThreadHandlerTests {
    @Test func aHandlerCanAnswerFromTheLoopThread() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let relay = try await TestClients.connect(broker, "relay")
        let client = try await TestClients.connect(broker, "asker")
        let token = try await relay.subscribe("\(base)/ping", options: SubscribeOptions()) { message in
            (try? relay.sendNow("\(base)/pong", payload: message.payload))?.forget()
        }
        let pongs = try await MessageCollector(client, "\(base)/pong")
        for i in 0..<50 { try await client.publish("\(base)/ping", text: "\(i)") }
        let answers = try await pongs.collect(50, "pongs")
        #expect(answers.map { $0.text ?? "" } == (0..<50).map(String.init))
        relay.unsubscribe(token)
        await relay.disconnect()
        await client.disconnect()
        try await broker.stop()
    }

    @Test func receiptsPipelineManyMessages() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let client = try await TestClients.connect(broker, "pipeline")
        let inbox = try await MessageCollector(client, "\(base)/p")
        var receipts: [PublishReceipt] = []
        for i in 0..<500 { receipts.append(try await client.send("\(base)/p", payload: Array("\(i)".utf8))) }
        for receipt in receipts { try await receipt.acknowledged() }
        let all = try await inbox.collect(500, "pipelined messages")
        #expect(all.map { $0.text ?? "" } == (0..<500).map(String.init))
        await client.disconnect()
        try await broker.stop()
    }
}
