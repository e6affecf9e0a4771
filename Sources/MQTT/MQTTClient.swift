/// The transport seam: bridge and emulator logic talk to this, never to libmosquitto.
///
/// `MosquittoClient` is the real implementation; TestSupport has an in-memory one for service
/// tests. Errors thrown are `MQTTError`.
public protocol MQTTClient: Sendable {
    /// Connects, or fails within the configured timeout.
    func connect() async throws
    /// Disconnects cleanly; the Last Will is not published. Pending operations fail.
    func disconnect() async
    /// Publishes; for QoS 1 and 2 it returns only once the broker has acknowledged.
    func publish(
        _ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties
    ) async throws
    /// Sends a message and returns a receipt for its acknowledgement. During an outage QoS 1
    /// and 2 are queued for the reconnect (or wait here for it).
    func send(_ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties) async throws -> PublishReceipt
    /// Sends without ever suspending, from any thread, including a handler.
    func sendNow(_ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties) throws -> PublishReceipt
    /// Subscribes. The stream ends when the client disconnects; dropping it unsubscribes.
    /// Subscribing before `connect()` is allowed and recommended: the subscription is sent with
    /// the connection, so queued session messages are not missed.
    func subscribe(_ filter: String, options: SubscribeOptions) async throws -> AsyncStream<MQTTMessage>
    /// Subscribes with a handler that runs on the client's delivery thread, in message order; it
    /// must not block for long. Returns a token for `unsubscribe`.
    @discardableResult
    func subscribe(_ filter: String, options: SubscribeOptions, handler: @escaping @Sendable (MQTTMessage) -> Void) async throws -> UInt64
    func unsubscribe(_ token: UInt64)
    /// A new stream of connection changes; any number may be open at once.
    func connectionEvents() -> AsyncStream<ConnectionEvent>
    /// Runs `handler` on the delivery thread for every connection change, before any message of
    /// the new connection.
    func onConnectionEvent(_ handler: @escaping @Sendable (ConnectionEvent) -> Void)
    var statistics: MQTTStatistics { get }
    var isConnected: Bool { get }
    /// QoS 1/2 publishes not acknowledged yet.
    var unacknowledgedPublishes: Int { get }
    /// Suspends while `limit` or more publishes wait for their acknowledgement.
    func waitForRoom(below limit: Int) async
    /// Holds back small writes while on, where the transport can (see `MosquittoClient`).
    func coalesceWrites(_ on: Bool)
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

    public func send(
        _ topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = false
    ) async throws -> PublishReceipt {
        try await send(topic, payload: payload, qos: qos, retain: retain, properties: MQTTProperties())
    }

    public func sendNow(_ topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = false) throws -> PublishReceipt {
        try sendNow(topic, payload: payload, qos: qos, retain: retain, properties: MQTTProperties())
    }

    public func coalesceWrites(_ on: Bool) {}
}
