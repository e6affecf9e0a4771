/// Which bridge may act on the lock (spec 8, fencing): the highest owner epoch the lock has
/// accepted, with the highest counter in it. A command is accepted only when its
/// (`owner_epoch`, `counter`) pair is above the held pair. A lower epoch is a bridge that lost
/// the lock's shard without noticing: it is told the epoch held, and nothing it sends actuates.
/// The lock keeps this across restarts and factory resets (a reset must not let an old owner in).
public struct OwnerFence: Codable, Sendable, Equatable {
    public private(set) var epoch: UInt64
    public private(set) var counter: UInt64

    public init(epoch: UInt64 = 0, counter: UInt64 = 0) {
        (self.epoch, self.counter) = (epoch, counter)
    }

    public enum Verdict: Sendable, Equatable {
        case accepted
        /// Not above the held counter in the same epoch: dropped silently.
        case replay
        /// From an owner older than the one held (its epoch is lower).
        case staleOwner(held: UInt64)
    }

    /// Judges a signed request and, when it is accepted, holds its pair.
    public mutating func admit(epoch: UInt64, counter: UInt64) -> Verdict {
        if epoch < self.epoch { return .staleOwner(held: self.epoch) }
        if epoch == self.epoch && counter <= self.counter { return .replay }
        (self.epoch, self.counter) = (epoch, counter)
        return .accepted
    }
}
