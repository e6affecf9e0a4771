internal import CMosquitto
import Locking
import Logging
import Synchronization

extension MosquittoClient {
    public func publish(
        _ topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: MQTTProperties
    ) async throws {
        try await send(topic, payload: payload, qos: qos, retain: retain, properties: properties).acknowledged()
    }

    /// Sends a message and returns a receipt whose `acknowledged()` waits for the PUBACK.
    ///
    /// Lets a caller keep many QoS 1 messages in flight without a task each. During an outage
    /// a QoS 1 or 2 message is queued in libmosquitto and its receipt returned at once (it goes
    /// out after the reconnect); only when libmosquitto would not queue it does this wait for the
    /// reconnect. Await each receipt, or forget it.
    public func send(
        _ topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) async throws -> PublishReceipt {
        while true {
            do {
                return try sendNow(topic, payload: payload, qos: qos, retain: retain, properties: properties)
            } catch let error as MQTTError where error.code == .notConnected && qos != .atMostOnce {
                // libmosquitto refuses while the link is down; wait for the reconnect instead.
                guard await waitForReconnect() else { throw error }
            }
        }
    }

    /// Sends without ever suspending, from any thread, including a handler on the loop thread.
    /// Throws `notConnected` while the link is down.
    public func sendNow(
        _ topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) throws -> PublishReceipt {
        var list: OpaquePointer? = properties.isEmpty ? nil : try MosquittoProperties.make(properties)
        defer { if list != nil { mosquitto_property_free_all(&list) } }
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes {
            mosquitto_publish_v5(handle, &mid, topic, Int32($0.count), $0.baseAddress, qos.rawValue, retain, list)
        }
        if rc != 0 {
            let error = MQTTError.fromLibrary(rc, while: "publishing to \(topic)")
            // libmosquitto queues a QoS 1/2 message under its id before it tries to write it, and
            // sends it after the next CONNACK. With the link down, or the write failing as the
            // broker goes away, that copy is still queued: it is sent, so hand back its receipt.
            // Throwing would make a caller send it a second time, and its PUBACK would find nobody
            // waiting (and then confirm a later message that reuses the id).
            let queued = rc == Int32(MOSQ_ERR_NO_CONN.rawValue) || rc == Int32(MOSQ_ERR_CONN_LOST.rawValue) || rc == Int32(MOSQ_ERR_ERRNO.rawValue)
            guard qos != .atMostOnce, mid != 0, queued else { throw error }
            logger.debug("publish queued for the reconnect", metadata: ["mqtt.topic": "\(topic)", "error": "\(error)"])
        }
        counters.published.add(1, ordering: .relaxed)
        state.withLock { s in
            if qos == .atMostOnce {
                // on_publish fires for QoS 0 too; leave a marker so its half is not kept forever.
                _ = s.expectAck(mid: mid, nil)
            } else if s.acks[mid] == nil {
                // Not acknowledged already (an ack can beat `publish` returning the mid).
                s.unacknowledged.insert(mid)
            }
        }
        return PublishReceipt(source: self, mid: qos == .atMostOnce ? nil : mid, topic: topic)
    }

    /// QoS 1/2 publishes handed to libmosquitto and not acknowledged yet.
    public var unacknowledgedPublishes: Int { state.withLock { $0.unacknowledged.count } }

    /// Suspends while `limit` or more QoS 1/2 publishes wait for their acknowledgement, so a
    /// burst waits for the broker instead of piling up in libmosquitto's memory. Returns at once
    /// when the loop is not running (nothing would ever make room).
    public func waitForRoom(below limit: Int) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if !s.loopRunning || s.unacknowledged.count < limit { return true }
                s.roomWaiters.append((limit, waiter))
                return false
            }
            if now { waiter.resume() }
        }
    }

    /// Waits for the acknowledgement of `mid`; returns its reason code.
    public func acknowledgement(of mid: Int32) async -> Int32 {
        await withCheckedContinuation { (waiter: CheckedContinuation<Int32, Never>) in
            let early = state.withLock { s -> Int32? in
                if !s.loopRunning { return MosquittoClient.disconnectedReason }
                return s.expectAck(mid: mid, .task(waiter))
            }
            if let early { waiter.resume(returning: early) }
        }
    }

    public func onAcknowledgement(of mid: Int32, _ body: @escaping @Sendable (Int32) -> Void) {
        let early = state.withLock { s -> Int32? in
            if !s.loopRunning { return MosquittoClient.disconnectedReason }
            return s.expectAck(mid: mid, .callback(body))
        }
        if let early { body(early) }
    }

    public func forgetAcknowledgement(of mid: Int32) { state.withLock { _ = $0.expectAck(mid: mid, nil) } }

    /// Waits until the link is up again; false when the client stops first.
    private func waitForReconnect() async -> Bool {
        await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
            let now = state.withLock { s -> Bool? in
                if !s.loopRunning || s.stopRequested { return false }
                if s.connected { return true }
                s.reconnectWaiters.append(waiter)
                return nil
            }
            if let now { waiter.resume(returning: now) }
        }
    }

    public func subscribe(_ filter: String, options: SubscribeOptions) async throws -> AsyncStream<MQTTMessage> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: MQTTMessage.self, bufferingPolicy: .bufferingOldest(configuration.subscriptionBuffer))
        let id = try await add(filter, options, .stream(continuation))
        continuation.onTermination = { [weak self] _ in self?.dropSubscription(id) }
        return stream
    }

    /// Subscribes with a handler that runs on the loop thread, for consumers that cannot afford
    /// the hop to a task. The handler must not block; `sendNow` is safe to call from it.
    /// Returns a token for `unsubscribe`.
    @discardableResult
    public func subscribe(
        _ filter: String, options: SubscribeOptions, handler: @escaping @Sendable (MQTTMessage) -> Void
    ) async throws -> UInt64 {
        try await add(filter, options, .handler(handler))
    }

    /// Ends a handler subscription made with `subscribe(_:options:handler:)`.
    public func unsubscribe(_ token: UInt64) { dropSubscription(token) }

    private func add(_ filter: String, _ options: SubscribeOptions, _ sink: ClientState.Sink) async throws -> UInt64 {
        guard mosquitto_sub_topic_check(filter) == 0 else {
            throw MQTTError(.invalidArgument, "\"\(filter)\" is not a valid topic filter")
        }
        let (id, connected) = state.withLock { s in
            let id = s.makeID()
            s.subscriptions[id] = ClientState.LocalSubscription(
                filter: filter, identifier: s.identifier(for: filter), options: options, sink: sink)
            return (id, s.connected)
        }
        // Not connected yet: the subscription goes out with the next CONNECT (see on_connect).
        guard connected else { return id }
        do {
            try await sendSubscribe(filter, options)
        } catch {
            dropSubscription(id)
            throw error
        }
        return id
    }

    private func sendSubscribe(_ filter: String, _ options: SubscribeOptions) async throws {
        var mid: Int32 = 0
        let rc = sendSubscribe(filter, options, mid: &mid)
        if rc == Int32(MOSQ_ERR_NO_CONN.rawValue) { return }  // restored on reconnect
        guard rc == 0 else { throw MQTTError.fromLibrary(rc, while: "subscribing to \(filter)") }
        let granted = await acknowledgement(of: mid)
        if granted == MosquittoClient.disconnectedReason {
            throw MQTTError(.disconnected, "disconnected before the broker acknowledged the subscription to \(filter)")
        }
        if granted >= 0x80 { throw MQTTError.rejected(.subscribeRejected, granted, topic: filter) }
    }

    /// Sends SUBSCRIBE with the filter's subscription identifier, by which deliveries are routed.
    private func sendSubscribe(_ filter: String, _ options: SubscribeOptions, mid: inout Int32) -> Int32 {
        let identifier = state.withLock { $0.identifier(for: filter) }
        var properties: OpaquePointer?
        mosquitto_property_add_varint(&properties, Int32(MQTT_PROP_SUBSCRIPTION_IDENTIFIER.rawValue), identifier)
        defer { mosquitto_property_free_all(&properties) }
        return mosquitto_subscribe_v5(handle, &mid, filter, options.qos.rawValue, Self.flags(options), properties)
    }

    static func flags(_ options: SubscribeOptions) -> Int32 {
        var flags: Int32 = 0
        if options.noLocal { flags |= Int32(MQTT_SUB_OPT_NO_LOCAL.rawValue) }
        if options.retainAsPublished { flags |= Int32(MQTT_SUB_OPT_RETAIN_AS_PUBLISHED.rawValue) }
        return flags
    }

    private func dropSubscription(_ id: UInt64) {
        let (filter, stillUsed, connected) = state.withLock { s -> (String?, Bool, Bool) in
            guard let removed = s.subscriptions.removeValue(forKey: id) else { return (nil, true, false) }
            let used = s.subscriptions.values.contains { $0.filter == removed.filter }
            return (removed.filter, used, s.connected)
        }
        if let filter, !stillUsed, connected {
            mosquitto_unsubscribe_v5(handle, nil, filter, nil)
        }
    }

    /// Sends SUBSCRIBE for every local subscription (called on the loop thread after CONNACK).
    func restoreSubscriptions() {
        let all = state.withLock { s in s.subscriptions.values.map { ($0.filter, $0.options) } }
        var seen = Set<String>()
        for (filter, options) in all where seen.insert(filter).inserted {
            var mid: Int32 = 0
            let rc = sendSubscribe(filter, options, mid: &mid)
            if rc == 0 {
                // Nobody awaits this SUBACK; the marker lets on_subscribe discard it.
                state.withLock { _ = $0.expectAck(mid: mid, nil) }
            } else {
                logger.info("mqtt could not restore a subscription", metadata: ["mqtt.topic": "\(filter)", "error": "\(rc)"])
            }
        }
    }
}
