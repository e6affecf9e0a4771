public import LockAPI

/// Locks fall into 64 shards (spec 8): FNV-1a (64-bit) over the lock id's UTF-8 bytes, modulo
/// 64. The hash is fixed: every bridge, of any version, puts a lock in the same shard.
public enum Shards {
    public static let count = 64

    public static func shard(_ id: LockID) -> Int { Int(fnv1a(id) % UInt64(count)) }

    /// FNV-1a (64-bit) over the lock id's UTF-8 bytes: the shard, and where in the probe interval
    /// the lock's first probe falls.
    static func fnv1a(_ id: LockID) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// What PostgreSQL says about the shards right now (the advisory locks, spec 8): which this
/// bridge holds with their epochs, which any bridge holds, and who holds what.
public struct ShardView: Sendable, Equatable {
    /// Shard → the epoch this bridge took it with.
    public var mine: [Int: UInt64]
    /// Shards that some bridge (this one included) holds.
    public var held: Set<Int>
    /// Instance name → its shards, for `bridge/info`.
    public var instances: [String: [Int]]

    public init(mine: [Int: UInt64] = [:], held: Set<Int> = [], instances: [String: [Int]] = [:]) {
        (self.mine, self.held, self.instances) = (mine, held, instances)
    }
}
