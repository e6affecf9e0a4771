internal import CMosquitto
import Locking
import Logging
import Synchronization
import Foundation

extension MosquittoClient {
    public func connect() async throws {
        let timeout = configuration.connectTimeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.startLoopAndAwaitConnack() }
            group.addTask {
                try await Task.sleep(for: timeout)
                let detail = self.state.withLock { $0.lastLibraryError }.map { "; last error: \($0)" } ?? ""
                self.failConnect(
                    MQTTError(.timeout, "no answer from \(self.configuration.host):\(self.configuration.port) within \(timeout)\(detail)"))
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func startLoopAndAwaitConnack() async throws {
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            let alreadyRunning = state.withLock { s -> Bool in
                guard s.lifecycle == .idle else { return true }
                s.lifecycle = .connecting
                s.lastLibraryError = nil
                s.connectWaiter = waiter
                return false
            }
            if alreadyRunning {
                waiter.resume(throwing: MQTTError(.invalidArgument, "connect() called while already connected or connecting"))
                return
            }
            let thread = Thread { self.runLoop() }
            thread.name = "mqtt-loop"
            thread.start()
        }
    }

    /// Fails a pending `connect()` and stops the loop; no effect once connected.
    func failConnect(_ error: MQTTError) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            guard let waiter = s.connectWaiter else { return nil }
            s.connectWaiter = nil
            s.requestStop(closing: false)
            return waiter
        }
        guard let waiter else { return }
        // Wakes the loop wherever it waits; never loop_stop here, this may run in a callback.
        mosquitto_disconnect_v5(handle, 0, nil)
        wake.signal()
        waiter.resume(throwing: error)
    }

    public func disconnect() async {
        let running = state.withLock { s -> Bool in
            s.requestStop(closing: true)
            return s.loopRunning
        }
        guard running else {
            finishStreams()
            return
        }
        mosquitto_disconnect_v5(handle, 0, nil)
        wake.signal()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { s -> Bool in
                if !s.loopRunning { return true }
                s.loopFinished.append(done)
                return false
            }
            if finished { done.resume() }
        }
    }

    /// The loop thread: connect, run the network loop, and on loss reconnect with backoff.
    ///
    /// Reconnecting goes through `mosquitto_connect_bind_v5` rather than libmosquitto's own
    /// reconnect, because the latter resends CONNECT without properties and so would drop the
    /// session-expiry interval: the broker would then forget the session at the next outage.
    func runLoop() {
        var delay = configuration.reconnectDelay.lowerBound
        while !state.withLock({ $0.stopRequested }) {
            let connectsBefore = counters.connects.load(ordering: .relaxed)
            let rc = connectOnce()
            if rc == 0 {
                while mosquitto_loop(handle, 1000, 1) == 0 {}
            }
            let (stop, initial) = state.withLock { s in (s.stopRequested, s.connectWaiter != nil) }
            if stop { break }
            if initial {
                failConnect(initialFailure(rc))
                break
            }
            // The broker accepted us this time: the next outage starts the backoff afresh.
            if counters.connects.load(ordering: .relaxed) != connectsBefore { delay = configuration.reconnectDelay.lowerBound }
            if rc != 0 {
                logger.debug("mqtt reconnect failed", metadata: ["error": "\(MQTTError.fromLibrary(rc, while: "reconnecting"))"])
            }
            _ = wake.wait(timeout: .now() + .nanoseconds(delay.nanoseconds))
            delay = min(delay * 2, configuration.reconnectDelay.upperBound)
        }
        loopStopped()
    }

    private func connectOnce() -> Int32 {
        var properties: OpaquePointer?
        mosquitto_property_add_int32(
            &properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), configuration.sessionExpiry)
        defer { mosquitto_property_free_all(&properties) }
        return mosquitto_connect_bind_v5(
            handle, configuration.host, Int32(configuration.port), Int32(configuration.keepAlive), nil, properties)
    }

    /// Why the first connection failed, preferring what libmosquitto logged (TLS errors say only there).
    private func initialFailure(_ rc: Int32) -> MQTTError {
        let where_ = "\(configuration.host):\(configuration.port)"
        if let logged = state.withLock({ $0.lastLibraryError }) {
            if logged.contains("OpenSSL") || logged.contains("TLS") || logged.contains("SSL") {
                return MQTTError(.tls, "TLS handshake with \(where_) failed: \(logged)")
            }
            if rc == 0 {
                return MQTTError(.connectionRefused, "connection to \(where_) closed: \(logged)")
            }
        }
        if rc == 0 {
            return MQTTError(.connectionRefused, "\(where_) closed the connection before accepting it")
        }
        if rc == Int32(MOSQ_ERR_ERRNO.rawValue) {
            let reason = String(cString: strerror(errno))
            return MQTTError(.brokerUnavailable, "cannot reach the broker at \(where_): \(reason)")
        }
        return MQTTError.fromLibrary(rc, while: "connecting to \(where_)")
    }

    private func loopStopped() {
        let (waiters, acks, closing, held) = state.withLock { s in
            let closing = s.lifecycle == .stopping(closing: true)
            s.lifecycle = .idle
            let waiters = s.loopFinished
            s.loopFinished = []
            let acks = s.acks.values.compactMap { slot -> AckWaiter? in
                if case .waiting(let waiter) = slot { return waiter }
                return nil
            }
            s.acks = [:]
            let held = s.reconnectWaiters
            s.reconnectWaiters = []
            let senders = s.roomWaiters.map(\.waiter)
            s.roomWaiters = []
            s.unacknowledged = []
            for sender in senders { sender.resume() }
            return (waiters, acks, closing, held)
        }
        for ack in acks { ack.resume(MosquittoClient.disconnectedReason) }
        for publish in held { publish.resume(returning: false) }
        if closing { finishStreams() }
        for waiter in waiters { waiter.resume() }
    }

    /// Ends every subscription and listener stream after a deliberate disconnect.
    func finishStreams() {
        let (subscriptions, listeners) = state.withLock { s in
            defer {
                s.subscriptions = [:]
                s.listeners = [:]
            }
            return (Array(s.subscriptions.values), Array(s.listeners.values))
        }
        for subscription in subscriptions {
            if case .stream(let continuation) = subscription.sink { continuation.finish() }
        }
        for listener in listeners { listener.finish() }
    }

    /// A reason code no broker sends, standing for "the client disconnected while waiting".
    static let disconnectedReason: Int32 = -1

    public func connectionEvents() -> AsyncStream<ConnectionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .bufferingNewest(64))
        let id = state.withLock { s in
            let id = s.makeID()
            s.listeners[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) }
        }
        return stream
    }

    /// Runs `handler` on the loop thread for every connection change, before any message that
    /// arrives on the new connection: for a consumer that must see the change in message order.
    /// It must not block. Register before `connect()` to see the first connection too.
    public func onConnectionEvent(_ handler: @escaping @Sendable (ConnectionEvent) -> Void) {
        state.withLock { $0.connectionHandlers.append(handler) }
    }

    func tell(_ event: ConnectionEvent) {
        let (listeners, handlers) = state.withLock { (Array($0.listeners.values), $0.connectionHandlers) }
        for handler in handlers { handler(event) }
        for listener in listeners { listener.yield(event) }
    }
}

extension Duration {
    /// Whole nanoseconds, for Dispatch deadlines.
    var nanoseconds: Int {
        Int(components.seconds) * 1_000_000_000 + Int(components.attoseconds / 1_000_000_000)
    }
}
