/// A change of the link to the broker, told to every listener.
public enum ConnectionEvent: Sendable, Hashable {
    /// Connected (first time or again). Subscriptions are already restored when this arrives,
    /// so a listener may republish retained state right away.
    case connected(sessionPresent: Bool)
    /// The link dropped; the client retries with backoff until `disconnect()`.
    case disconnected(reason: String)
}
