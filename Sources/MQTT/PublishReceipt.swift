/// Where a publish's acknowledgement comes from: the client that sent it.
public protocol AcknowledgementSource: Sendable {
    /// Waits for the acknowledgement of `mid`; a negative code means the client stopped first.
    func acknowledgement(of mid: Int32) async -> Int32
    /// Calls `body` with the reason code when the acknowledgement of `mid` arrives (it must not block).
    func onAcknowledgement(of mid: Int32, _ body: @escaping @Sendable (Int32) -> Void)
    /// Nobody will wait for the acknowledgement of `mid`.
    func forgetAcknowledgement(of mid: Int32)
}

/// A message handed to the broker whose acknowledgement can be awaited later.
public struct PublishReceipt: Sendable {
    let source: any AcknowledgementSource
    /// nil for QoS 0, which has no acknowledgement.
    let mid: Int32?
    public let topic: String

    public init(source: any AcknowledgementSource, mid: Int32?, topic: String) {
        self.source = source
        self.mid = mid
        self.topic = topic
    }

    /// Returns once the broker acknowledged; throws on a negative MQTT 5 ack or a disconnect.
    public func acknowledged() async throws {
        guard let mid else { return }
        let reason = await source.acknowledgement(of: mid)
        if reason < 0 { throw MQTTError(.disconnected, "disconnected before the broker acknowledged \(topic)") }
        if reason >= 0x80 { throw MQTTError.rejected(.publishRejected, reason, topic: topic) }
    }

    /// Calls `body` once the acknowledgement arrives (on the client's loop thread; it must not
    /// block): true when the broker accepted the message, false when it refused it or the client
    /// stopped first. For those who gather acknowledgements without a task waiting for each.
    public func onAcknowledged(_ body: @escaping @Sendable (_ accepted: Bool) -> Void) {
        guard let mid else { return body(true) }
        source.onAcknowledgement(of: mid) { body($0 >= 0 && $0 < 0x80) }
    }

    /// Gives up waiting for the acknowledgement (fire-and-forget at QoS 1): its record is
    /// discarded when it arrives, or now if it already has.
    public func forget() {
        guard let mid else { return }
        source.forgetAcknowledgement(of: mid)
    }
}
