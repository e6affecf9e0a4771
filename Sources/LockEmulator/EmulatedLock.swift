import LockCore

/// One lock as the emulator keeps it: the domain value plus what the device link needs.
struct EmulatedLock: Codable, Sendable {
    var lock: Lock
    /// The highest command counter accepted; anything not above it is a replay.
    var lastCounter: UInt64 = 0
    /// Events that happened while the lock could not reach the broker; sent `delayed` later.
    var held: [LockEvent] = []
    /// The last events sent, kept in memory so the bridge can ask for them again.
    var recent: [LockEvent] = []
    static let recentLimit = 64

    enum CodingKeys: String, CodingKey { case lock, lastCounter, held }

    mutating func remember(_ event: LockEvent) {
        recent.append(event)
        if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
    }

    /// Whether the lock can talk to the broker: it has power and Wi-Fi.
    var reachable: Bool { lock.isPowered && lock.wifiUp }
}
