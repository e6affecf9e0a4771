import Synchronization
/// A message handed to the broker whose acknowledgement can be awaited later.
public struct PublishReceipt: Sendable {
    let client: MosquittoClient
    /// nil for QoS 0, which has no acknowledgement.
    let mid: Int32?
    public let topic: String

    /// Returns once the broker acknowledged; throws on a negative MQTT 5 ack or a disconnect.
    public func acknowledged() async throws {
        guard let mid else { return }
        let reason = await client.acknowledgement(of: mid)
        if reason == MosquittoClient.disconnectedReason {
            throw MQTTError(.disconnected, "disconnected before the broker acknowledged \(topic)")
        }
        if reason >= 0x80 { throw MQTTError.rejected(.publishRejected, reason, topic: topic) }
    }
}

extension PublishReceipt {
    /// Calls `body` with the broker's reason code once the acknowledgement arrives (on the loop
    /// thread; it must not block), or with a negative code if the client stops first. For those
    /// who gather acknowledgements without a task waiting for each.
    public func onAcknowledged(_ body: @escaping @Sendable (_ accepted: Bool) -> Void) {
        guard let mid else { return body(true) }
        let early = client.state.withLock { s -> Int32? in
            if !s.loopRunning { return MosquittoClient.disconnectedReason }
            return s.expectAck(mid: mid, .callback { body($0 >= 0 && $0 < 0x80) })
        }
        if let early { body(early >= 0 && early < 0x80) }
    }

    /// Gives up waiting for the acknowledgement (fire-and-forget at QoS 1): its record is
    /// discarded when it arrives, or now if it already has.
    public func forget() {
        guard let mid else { return }
        client.state.withLock { _ = $0.expectAck(mid: mid, nil) }
    }
}
