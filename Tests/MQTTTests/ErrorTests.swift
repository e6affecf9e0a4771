import MQTT
import Testing
import TestSupport

@Suite struct ErrorTests {
    @Test func badPasswordIsAClearError() async throws {
        let broker = try await Broker.start(BrokerOptions(users: ["bridge": "correct-horse"]))
        let good = try await TestClients.connect(broker, "good") {
            $0.username = "bridge"
            $0.password = "correct-horse"
        }
        await good.disconnect()
        let error = await #expect(throws: MQTTError.self) {
            _ = try await TestClients.connect(broker, "bad") {
                $0.username = "bridge"
                $0.password = "wrong-password"
            }
        }
        #expect(error?.code == .notAuthorized)
        #expect(error?.message.contains("credentials") == true)
        #expect(error?.message.contains("wrong-password") == false)
        try await broker.stop()
    }

    @Test func tlsWithTheRightCAConnects() async throws {
        let broker = try await Broker.start(BrokerOptions(tls: true))
        let base = TestNames.baseTopic()
        let client = try await TestClients.connect(broker, "tls")
        let inbox = try await MessageCollector(client, "\(base)/t")
        try await client.publish("\(base)/t", text: "over tls")
        #expect(try await inbox.next().text == "over tls")
        await client.disconnect()
        try await broker.stop()
    }

    /// Publishing and subscribing from tasks while the loop thread reads the same TLS connection
    /// (right after the handshake too, when TLS 1.3 session tickets arrive): OpenSSL allows one
    /// thread at a time per connection, so writes must go through the loop thread.
    @Test func tlsCarriesTrafficBothWaysAtOnce() async throws {
        let broker = try await Broker.start(BrokerOptions(tls: true))
        let base = TestNames.baseTopic()
        for round in 0..<40 {
            let client = try await TestClients.connect(broker, "tls-busy-\(round)")
            let inbox = try await MessageCollector(client, "\(base)/\(round)/#")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        var receipts: [PublishReceipt] = []
                        for i in 0..<50 {
                            receipts.append(try await client.send("\(base)/\(round)/\(lane)", payload: Array("m\(i)".utf8)))
                        }
                        for receipt in receipts { try await receipt.acknowledged() }
                    }
                }
                try await group.waitForAll()
            }
            try await waitUntil(10, "round \(round): 200 messages back over TLS") { inbox.messages.count == 200 }
            await client.disconnect()
        }
        try await broker.stop()
    }

    @Test func tlsWithTheWrongCAFailsWithinTheTimeout() async throws {
        let broker = try await Broker.start(BrokerOptions(tls: true))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: MQTTError.self) {
            _ = try await TestClients.connect(broker, "wrong-ca") {
                $0.tls = MQTTConfiguration.TLS(caFile: broker.otherCAFile)
                $0.connectTimeout = .seconds(2)
            }
        }
        // The point is that connect gives up instead of hanging: the bound is the timeout plus
        // slack for a loaded machine or a sanitizer build (TSan took 4.2 s for a 3 s timeout once).
        #expect(clock.now - started < .seconds(2) + .seconds(8))
        #expect(error?.code == .tls || error?.code == .timeout)
        #expect(error?.message.contains("certificate") == true || error?.message.contains("OpenSSL") == true)
        try await broker.stop()
    }

    @Test func aclDenialOnPublishIsThrown() async throws {
        let acl = """
            user writer
            topic readwrite allowed/#
            """
        let broker = try await Broker.start(BrokerOptions(users: ["writer": "pw-123456"], acl: acl))
        let client = try await TestClients.connect(broker, "acl") {
            $0.username = "writer"
            $0.password = "pw-123456"
        }
        try await client.publish("allowed/x", text: "fine")
        let error = await #expect(throws: MQTTError.self) {
            try await client.publish("forbidden/x", text: "nope", qos: .atLeastOnce)
        }
        #expect(error?.code == .publishRejected)
        #expect(error?.reasonCode == 0x87)
        await client.disconnect()
        try await broker.stop()
    }

    @Test func brokerDownIsAnError() async throws {
        let broker = try await Broker.start()
        let config = try TestClients.configuration(broker, "down")
        try await broker.stop()
        let client = try MosquittoClient(configuration: config, logger: TestClients.logger)
        let error = await #expect(throws: MQTTError.self) { try await client.connect() }
        #expect(error?.code == .brokerUnavailable)
        #expect(error?.message.contains("\(broker.port)") == true)
    }

    @Test func aFullSubscriberBufferDropsAndCounts() async throws {
        let broker = try await Broker.start()
        let base = TestNames.baseTopic()
        let client = try await TestClients.connect(broker, "small") { $0.subscriptionBuffer = 5 }
        let stream = try await client.subscribe("\(base)/flood")  // never read
        for i in 0..<20 { try await client.publish("\(base)/flood", text: "\(i)") }
        try await waitUntil(5, "20 messages received") { client.statistics.received >= 20 }
        #expect(client.statistics.dropped == 15)
        var kept: [String] = []
        for await message in stream {
            kept.append(message.text ?? "")
            if kept.count == 5 { break }
        }
        #expect(kept == ["0", "1", "2", "3", "4"])
        await client.disconnect()
        try await broker.stop()
    }

    @Test func publishAfterDisconnectFails() async throws {
        let broker = try await Broker.start()
        let client = try await TestClients.connect(broker, "closed")
        await client.disconnect()
        await #expect(throws: MQTTError.self) { try await client.publish("x/y", text: "late") }
        try await broker.stop()
    }
}

@Suite struct ConfigurationTests {
    @Test func parsesBrokerURLs() throws {
        let plain = try MQTTConfiguration(url: "mqtt://127.0.0.1:1884", clientID: "c")
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == 1884)
        #expect(plain.tls == nil)
        let user = try MQTTConfiguration(url: "mqtt://bridge:s%40cret@broker.local", clientID: "c")
        #expect(user.username == "bridge")
        #expect(user.password == "s@cret")
        #expect(user.port == 1883)
        let tls = try MQTTConfiguration(url: "mqtts://broker.local", clientID: "c", caFile: "/etc/ca.crt")
        #expect(tls.port == 8883)
        #expect(tls.tls?.caFile == "/etc/ca.crt")
    }

    @Test func rejectsBadURLs() {
        for bad in ["http://x:1", "mqtt://", "mqtt://host:99999", "mqtt://host/path", "not a url", "mqtts://host"] {
            #expect(throws: MQTTError.self, "\(bad)") { _ = try MQTTConfiguration(url: bad, clientID: "c") }
        }
    }

    @Test func descriptionHidesThePassword() throws {
        let config = try MQTTConfiguration(url: "mqtt://bridge:hunter22@host:1883", clientID: "c")
        #expect(!config.description.contains("hunter22"))
        #expect(config.description.contains("bridge"))
    }
}
