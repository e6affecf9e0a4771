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
    /// Gives up waiting for the acknowledgement (fire-and-forget at QoS 1): its record is
    /// discarded when it arrives, or now if it already has.
    public func forget() {
        guard let mid else { return }
        client.state.withLock { _ = $0.expectAck(mid: mid, nil) }
    }
}
