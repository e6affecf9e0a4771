import LockCore

/// One lock as the emulator keeps it: the domain value plus what the device link needs.
struct EmulatedLock: Codable, Sendable {
    var lock: Lock
    /// The highest command counter accepted; anything not above it is a replay.
    var lastCounter: UInt64 = 0
    /// Events that happened while the lock could not reach the broker; sent `delayed` later.
    var held: [LockEvent] = []

    /// Whether the lock can talk to the broker: it has power and Wi-Fi.
    var reachable: Bool { lock.isPowered && lock.wifiUp }
}
