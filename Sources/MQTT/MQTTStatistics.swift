import Synchronization

/// Counters a process can report (the bridge's `health` request shows them).
public struct MQTTStatistics: Sendable, Hashable {
    public var received: Int
    /// Messages dropped because a subscriber's buffer was full.
    public var dropped: Int
    /// Messages that matched no local subscription.
    public var unrouted: Int
    public var published: Int
    public var connects: Int

    public init(received: Int, dropped: Int, unrouted: Int, published: Int, connects: Int) {
        (self.received, self.dropped, self.unrouted, self.published, self.connects) = (received, dropped, unrouted, published, connects)
    }
}

/// Lock-free counters behind `MQTTStatistics`, bumped on the loop thread.
final class StatisticsCounters: Sendable {
    let received = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let unrouted = Atomic<Int>(0)
    let published = Atomic<Int>(0)
    let connects = Atomic<Int>(0)

    var snapshot: MQTTStatistics {
        MQTTStatistics(
            received: received.load(ordering: .relaxed), dropped: dropped.load(ordering: .relaxed),
            unrouted: unrouted.load(ordering: .relaxed), published: published.load(ordering: .relaxed),
            connects: connects.load(ordering: .relaxed))
    }
}
