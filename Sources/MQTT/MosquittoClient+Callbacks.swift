internal import CMosquitto
import Locking
import Synchronization
import Logging

// The C trampolines. libmosquitto hands back the user data set in `init`, which is an unretained
// `MosquittoClient`: callbacks run only on the loop thread, which holds a strong reference.
// Message memory is freed by libmosquitto after each callback, so everything is copied here.

private func client(_ userData: UnsafeMutableRawPointer?) -> MosquittoClient {
    Unmanaged<MosquittoClient>.fromOpaque(userData!).takeUnretainedValue()
}

extension MosquittoClient {
    func installCallbacks() {
        mosquitto_connect_v5_callback_set(handle) { _, userData, reason, flags, properties in
            client(userData).didConnect(reason: reason, flags: flags, properties: properties)
        }
        mosquitto_disconnect_v5_callback_set(handle) { _, userData, reason, _ in
            client(userData).didDisconnect(reason: reason)
        }
        mosquitto_publish_v5_callback_set(handle) { _, userData, mid, reason, _ in
            client(userData).didAcknowledgePublish(mid: mid, reason: reason)
        }
        mosquitto_subscribe_v5_callback_set(handle) { _, userData, mid, count, granted, _ in
            let first = count > 0 ? granted?.pointee ?? 0x80 : 0x80
            client(userData).didAcknowledge(mid: mid, reason: first)
        }
        mosquitto_message_v5_callback_set(handle) { _, userData, message, properties in
            guard let message else { return }
            client(userData).didReceive(message.pointee, properties: properties)
        }
        mosquitto_log_callback_set(handle) { _, userData, level, text in
            guard let text else { return }
            client(userData).didLog(level: level, String(cString: text))
        }
    }

    private func didConnect(reason: Int32, flags: Int32, properties: OpaquePointer?) {
        guard reason == 0 else {
            let error = MQTTError.fromConnack(
                reason, reasonString: MosquittoProperties.string(properties, MQTT_PROP_REASON_STRING))
            state.withLock { $0.lastLibraryError = error.message }
            if state.withLock({ $0.connectWaiter != nil }) {
                failConnect(error)
            } else {
                logger.info("mqtt reconnect refused", metadata: ["error": "\(error)"])
            }
            return
        }
        let sessionPresent = flags & 1 != 0
        let (waiter, firstTime, held) = state.withLock { s in
            defer {
                s.connectWaiter = nil
                // A stop asked for meanwhile stands: the loop ends this connection next.
                if !s.stopRequested { s.lifecycle = .connected }
                s.reconnectWaiters = []
            }
            return (s.connectWaiter, s.lifecycle == .connecting, s.reconnectWaiters)
        }
        counters.connects.add(1, ordering: .relaxed)
        // A session the broker kept still has our subscriptions; otherwise send them again.
        // The first connection of a `connect()` always sends them, since they were never acknowledged.
        if firstTime || !sessionPresent { restoreSubscriptions() }
        logger.debug("mqtt connected", metadata: ["session_present": "\(sessionPresent)"])
        tell(.connected(sessionPresent: sessionPresent))
        waiter?.resume()
        for publish in held { publish.resume(returning: true) }
    }

    private func didDisconnect(reason: Int32) {
        let (wasConnected, stopping) = state.withLock { s in
            defer { if s.connected { s.lifecycle = .reconnecting } }
            return (s.connected, s.stopRequested)
        }
        guard wasConnected, !stopping else { return }
        let text = reason == 0 ? "disconnected" : String(cString: mosquitto_strerror(reason))
        logger.info("mqtt connection lost", metadata: ["reason": "\(text)"])
        tell(.disconnected(reason: text))
    }

    private func didAcknowledgePublish(mid: Int32, reason: Int32) {
        for sender in state.withLock({ $0.publishAcknowledged(mid: mid) }) { sender.resume() }
        didAcknowledge(mid: mid, reason: reason)
    }

    private func didAcknowledge(mid: Int32, reason: Int32) {
        if case .some(let waiter) = state.withLock({ $0.acknowledge(mid: mid, reason: reason) }) {
            waiter?.resume(reason)
        }
    }

    private func didReceive(_ raw: mosquitto_message, properties: OpaquePointer?) {
        counters.received.add(1, ordering: .relaxed)
        let topic = String(cString: raw.topic)
        let payload = Array(UnsafeRawBufferPointer(start: raw.payload, count: Int(raw.payloadlen)))
        let message = MQTTMessage(
            topic: topic, payload: payload, qos: QoS(rawValue: raw.qos) ?? .atMostOnce, retain: raw.retain,
            properties: properties == nil ? MQTTProperties() : MosquittoProperties.read(properties))
        // mosquitto sends one copy per matching subscription, each naming its identifier; routing
        // by identifier keeps overlapping filters from delivering the same message twice.
        let identifiers = MosquittoProperties.subscriptionIdentifiers(properties)
        let targets = state.withLock { s in
            s.subscriptions.values.filter {
                identifiers.isEmpty ? Self.matches($0.filter, topic) : identifiers.contains($0.identifier)
            }.map(\.sink)
        }
        if targets.isEmpty {
            counters.unrouted.add(1, ordering: .relaxed)
            logger.debug("mqtt message matched no subscription", metadata: ["mqtt.topic": "\(topic)"])
        }
        for target in targets {
            guard case .stream(let continuation) = target else {
                if case .handler(let handle) = target { handle(message) }
                continue
            }
            if case .dropped = continuation.yield(message) {
                let dropped = counters.dropped.wrappingAdd(1, ordering: .relaxed).newValue
                if dropped == 1 || dropped % 1000 == 0 {
                    logger.info(
                        "mqtt subscriber buffer full: message dropped",
                        metadata: ["mqtt.topic": "\(topic)", "dropped_total": "\(dropped)"])
                }
            }
        }
    }

    static func matches(_ filter: String, _ topic: String) -> Bool { TopicFilter.matches(filter, topic) }

    private func didLog(level: Int32, _ text: String) {
        if level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING) != 0 {
            state.withLock { $0.lastLibraryError = text }
            logger.debug("libmosquitto: \(text)")
        } else {
            logger.trace("libmosquitto: \(text)")
        }
    }
}
