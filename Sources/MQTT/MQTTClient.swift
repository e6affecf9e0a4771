/// The transport seam: bridge and emulator logic talk to this, never to libmosquitto.
///
/// `MosquittoClient` is the real implementation. Errors thrown are `MQTTError`.
public protocol MQTTClient: Sendable {
    /// Connects, or fails within the configured timeout.
    func connect() async throws
    /// Disconnects cleanly; the Last Will is not published. Pending operations fail.
    func disconnect() async
    /// Publishes; for QoS 1 and 2 it returns only once the broker has acknowledged.
    func publish(
        _ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties
    ) async throws
    /// Subscribes. The stream ends when the client disconnects; dropping it unsubscribes.
    /// Subscribing before `connect()` is allowed and recommended: the subscription is sent with
    /// the connection, so queued session messages are not missed.
    func subscribe(_ filter: String, options: SubscribeOptions) async throws -> AsyncStream<MQTTMessage>
    /// A new stream of connection changes; any number may be open at once.
    func connectionEvents() -> AsyncStream<ConnectionEvent>
}

extension MQTTClient {
    public func publish(
        _ topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = false
    ) async throws {
        try await publish(topic, payload: payload, qos: qos, retain: retain, properties: MQTTProperties())
    }

    public func publish(
        _ topic: String, text: String, qos: QoS = .atLeastOnce, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) async throws {
        try await publish(topic, payload: Array(text.utf8), qos: qos, retain: retain, properties: properties)
    }

    public func subscribe(_ filter: String, qos: QoS = .atLeastOnce) async throws -> AsyncStream<MQTTMessage> {
        try await subscribe(filter, options: SubscribeOptions(qos: qos))
    }
}
