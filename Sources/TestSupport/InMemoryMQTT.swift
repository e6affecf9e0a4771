import Dispatch
public import MQTT
import Locking

/// A broker in memory, for service tests that need no real one: clients connect to it, topics
/// match as in mosquitto, retained messages are kept and delivered on subscribe, and every
/// publish is acknowledged at once. Integration tests use a real mosquitto instead.
public final class InMemoryBroker: Sendable {
    private struct State {
        var clients: [InMemoryClient] = []
        var retained: [String: MQTTMessage] = [:]
    }

    private let state = Locked(State())

    public init() {}

    /// A new client of this broker.
    public func client() -> InMemoryClient {
        let client = InMemoryClient(broker: self)
        state.withLock { $0.clients.append(client) }
        return client
    }

    /// What is retained on `topic`.
    public func retained(_ topic: String) -> MQTTMessage? { state.withLock { $0.retained[topic] } }

    func route(_ message: MQTTMessage) {
        let clients = state.withLock { s -> [InMemoryClient] in
            if message.retain {
                s.retained[message.topic] = message.payload.isEmpty ? nil : message
            }
            return s.clients
        }
        var live = message
        live.retain = false
        for client in clients { client.deliver(live, retainedFlag: message.retain) }
    }

    func retainedMessages(matching filter: String) -> [MQTTMessage] {
        state.withLock { s in s.retained.values.filter { TopicFilter.matches(filter, $0.topic) }.sorted { $0.topic < $1.topic } }
    }
}

/// One client of an ``InMemoryBroker``. Handlers and streams get messages in order on one serial
/// queue, the client's stand-in for libmosquitto's loop thread.
public final class InMemoryClient: MQTTClient, AcknowledgementSource {
    private struct Subscription {
        var id: UInt64
        var filter: String
        var options: SubscribeOptions
        var handler: @Sendable (MQTTMessage) -> Void
    }

    private struct State {
        var connected = false
        var subscriptions: [Subscription] = []
        var handlers: [@Sendable (ConnectionEvent) -> Void] = []
        var listeners: [AsyncStream<ConnectionEvent>.Continuation] = []
        var nextID: UInt64 = 0
        var published = 0
        var received = 0
        var connects = 0
    }

    private let broker: InMemoryBroker
    private let state = Locked(State())
    private let delivery = DispatchQueue(label: "in-memory-mqtt")

    init(broker: InMemoryBroker) { self.broker = broker }

    public func connect() async throws {
        let (handlers, listeners, subscriptions) = state.withLock { s in
            s.connected = true
            s.connects += 1
            return (s.handlers, s.listeners, s.subscriptions)
        }
        delivery.async {
            for handler in handlers { handler(.connected(sessionPresent: false)) }
            for listener in listeners { listener.yield(.connected(sessionPresent: false)) }
        }
        for subscription in subscriptions { deliverRetained(subscription) }
    }

    public func disconnect() async {
        let listeners = state.withLock { s in
            s.connected = false
            return s.listeners
        }
        delivery.sync {}
        for listener in listeners { listener.finish() }
    }

    public func publish(_ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties) async throws {
        try await send(topic, payload: payload, qos: qos, retain: retain, properties: properties).acknowledged()
    }

    public func send(_ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties) async throws -> PublishReceipt {
        try sendNow(topic, payload: payload, qos: qos, retain: retain, properties: properties)
    }

    public func sendNow(_ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties) throws -> PublishReceipt {
        guard state.withLock({ $0.connected }) else { throw MQTTError(.notConnected, "publishing to \(topic): not connected") }
        state.withLock { $0.published += 1 }
        broker.route(MQTTMessage(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties))
        return PublishReceipt(source: self, mid: qos == .atMostOnce ? nil : 1, topic: topic)
    }

    public func subscribe(_ filter: String, options: SubscribeOptions) async throws -> AsyncStream<MQTTMessage> {
        let (stream, continuation) = AsyncStream.makeStream(of: MQTTMessage.self)
        let token = try await subscribe(filter, options: options) { continuation.yield($0) }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(token) }
        return stream
    }

    @discardableResult
    public func subscribe(_ filter: String, options: SubscribeOptions, handler: @escaping @Sendable (MQTTMessage) -> Void) async throws -> UInt64 {
        let (subscription, connected) = state.withLock { s in
            s.nextID += 1
            let subscription = Subscription(id: s.nextID, filter: filter, options: options, handler: handler)
            s.subscriptions.append(subscription)
            return (subscription, s.connected)
        }
        if connected { deliverRetained(subscription) }
        return subscription.id
    }

    public func unsubscribe(_ token: UInt64) { state.withLock { $0.subscriptions.removeAll { $0.id == token } } }

    public func connectionEvents() -> AsyncStream<ConnectionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self)
        state.withLock { $0.listeners.append(continuation) }
        return stream
    }

    public func onConnectionEvent(_ handler: @escaping @Sendable (ConnectionEvent) -> Void) {
        state.withLock { $0.handlers.append(handler) }
    }

    public var statistics: MQTTStatistics {
        state.withLock { MQTTStatistics(received: $0.received, dropped: 0, unrouted: 0, published: $0.published, connects: $0.connects) }
    }

    public var isConnected: Bool { state.withLock { $0.connected } }
    public var unacknowledgedPublishes: Int { 0 }
    public func waitForRoom(below limit: Int) async {}

    // Every publish is acknowledged at once.
    public func acknowledgement(of mid: Int32) async -> Int32 { 0 }
    public func onAcknowledgement(of mid: Int32, _ body: @escaping @Sendable (Int32) -> Void) { body(0) }
    public func forgetAcknowledgement(of mid: Int32) {}

    /// A message routed by the broker: to every matching subscription, on the delivery queue.
    func deliver(_ message: MQTTMessage, retainedFlag: Bool) {
        let matching = state.withLock { s -> [Subscription] in
            guard s.connected else { return [] }
            return s.subscriptions.filter { TopicFilter.matches($0.filter, message.topic) }
        }
        guard !matching.isEmpty else { return }
        state.withLock { $0.received += matching.count }
        delivery.async {
            for subscription in matching {
                var copy = message
                copy.retain = subscription.options.retainAsPublished && retainedFlag
                subscription.handler(copy)
            }
        }
    }

    private func deliverRetained(_ subscription: Subscription) {
        let retained = broker.retainedMessages(matching: subscription.filter)
        delivery.async { for message in retained { subscription.handler(message) } }
    }
}
