public import MQTT
public import Logging

/// Connected clients for tests, each with a unique client id.
public enum TestClients {
    public static let logger = Logger(label: "test")

    /// A configuration for `broker` that a test can adjust before connecting.
    public static func configuration(_ broker: Broker, _ label: String) throws -> MQTTConfiguration {
        var config = try MQTTConfiguration(url: broker.url, clientID: TestNames.clientID(label), caFile: broker.options.tls ? broker.caFile : nil)
        config.connectTimeout = .seconds(5)
        config.cleanStart = true
        config.sessionExpiry = 0
        return config
    }

    /// A clean-session client, already connected.
    public static func connect(
        _ broker: Broker, _ label: String, adjust: (inout MQTTConfiguration) -> Void = { _ in }
    ) async throws -> MosquittoClient {
        var config = try configuration(broker, label)
        adjust(&config)
        let client = try MosquittoClient(configuration: config, logger: logger)
        try await client.connect()
        return client
    }
}
