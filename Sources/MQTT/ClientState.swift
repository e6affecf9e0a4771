/// The Swift-side state of a `MosquittoClient`, always accessed under its mutex.
struct ClientState {
    /// One side of a PUBACK/SUBACK rendezvous: whichever of "sent" and "acknowledged" comes
    /// first leaves its half here, because the ack can arrive before `publish` returns the mid.
    enum AckSlot {
        /// The sender waits (nil: nobody waits, as for QoS 0).
        case waiting(AckWaiter?)
        /// The acknowledgement came first, with this reason code.
        case arrived(Int32)
    }

    /// Where a subscription's messages go.
    enum Sink {
        case stream(AsyncStream<MQTTMessage>.Continuation)
        /// Runs on the loop thread; must not block.
        case handler(@Sendable (MQTTMessage) -> Void)
    }

    struct LocalSubscription {
        var filter: String
        /// The MQTT 5 subscription identifier of `filter`, shared by all local subscribers to it.
        var identifier: UInt32
        var options: SubscribeOptions
        var sink: Sink
    }

    /// Where the client is in its life: one value, so no two flags can disagree.
    enum Lifecycle: Equatable {
        /// No loop thread: never started, or stopped.
        case idle
        /// `connect()` waits for the first CONNACK (`connectWaiter` is set).
        case connecting
        /// The link is up.
        case connected
        /// The link was lost; the loop thread reconnects with backoff.
        case reconnecting
        /// The loop thread is asked to stop. `closing`: `disconnect()` asked, so every stream
        /// ends once it has stopped (a failed first connect keeps them).
        case stopping(closing: Bool)
    }

    var lifecycle = Lifecycle.idle
    var connectWaiter: CheckedContinuation<Void, any Error>?

    /// Whether the loop thread runs (or is about to).
    var loopRunning: Bool { lifecycle != .idle }
    var stopRequested: Bool {
        if case .stopping = lifecycle { return true }
        return false
    }
    var connected: Bool { lifecycle == .connected }

    /// Asks a running loop to stop; `closing` is kept once any caller asked for it.
    mutating func requestStop(closing: Bool) {
        switch lifecycle {
        case .idle: break
        case .stopping(let already): lifecycle = .stopping(closing: already || closing)
        case .connecting, .connected, .reconnecting: lifecycle = .stopping(closing: closing)
        }
    }
    var lastLibraryError: String?
    var acks: [Int32: AckSlot] = [:]
    var subscriptions: [UInt64: LocalSubscription] = [:]
    var listeners: [UInt64: AsyncStream<ConnectionEvent>.Continuation] = [:]
    /// Run on the loop thread, in order with the messages of each connection.
    var connectionHandlers: [@Sendable (ConnectionEvent) -> Void] = []
    var loopFinished: [CheckedContinuation<Void, Never>] = []
    /// QoS 1/2 publishes made during an outage wait here for the next CONNACK (true) or the end (false).
    var reconnectWaiters: [CheckedContinuation<Bool, Never>] = []
    var nextID: UInt64 = 0
    /// QoS 1/2 publishes handed to libmosquitto and not acknowledged yet, by message id.
    var unacknowledged: Set<Int32> = []
    /// Senders waiting until fewer than `limit` publishes are unacknowledged.
    var roomWaiters: [(limit: Int, waiter: CheckedContinuation<Void, Never>)] = []

    /// A publish was acknowledged: the senders that now have room.
    mutating func publishAcknowledged(mid: Int32) -> [CheckedContinuation<Void, Never>] {
        guard unacknowledged.remove(mid) != nil, !roomWaiters.isEmpty else { return [] }
        let count = unacknowledged.count
        let ready = roomWaiters.filter { count < $0.limit }.map(\.waiter)
        roomWaiters.removeAll { count < $0.limit }
        return ready
    }
    var filterIdentifiers: [String: UInt32] = [:]

    mutating func makeID() -> UInt64 {
        nextID += 1
        return nextID
    }

    /// The subscription identifier for `filter`, made once per filter.
    mutating func identifier(for filter: String) -> UInt32 {
        if let known = filterIdentifiers[filter] { return known }
        let new = UInt32(filterIdentifiers.count + 1)
        filterIdentifiers[filter] = new
        return new
    }

    /// Records the sender's half; returns the reason code if the ack already came.
    mutating func expectAck(mid: Int32, _ waiter: AckWaiter?) -> Int32? {
        if case .arrived(let reason) = acks.removeValue(forKey: mid) { return reason }
        acks[mid] = .waiting(waiter)
        return nil
    }

    /// Records the ack's half; returns the waiter to resume, if one is waiting.
    mutating func acknowledge(mid: Int32, reason: Int32) -> AckWaiter?? {
        if case .waiting(let waiter) = acks.removeValue(forKey: mid) { return .some(waiter) }
        acks[mid] = .arrived(reason)
        return .none
    }
}

/// Who waits for an acknowledgement: a suspended task, or a callback run where the ack arrives.
enum AckWaiter: Sendable {
    case task(CheckedContinuation<Int32, Never>)
    /// Runs on the loop thread (or at once, if the ack came first); must not block.
    case callback(@Sendable (Int32) -> Void)

    func resume(_ reason: Int32) {
        switch self {
        case .task(let continuation): continuation.resume(returning: reason)
        case .callback(let body): body(reason)
        }
    }
}
