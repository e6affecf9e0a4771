import Foundation
import LockCore

/// One lock as the emulator keeps it: the domain value plus what the device link needs.
struct EmulatedLock: Codable, Sendable {
    var lock: Lock
    /// The highest (owner epoch, counter) accepted: a lower counter is a replay, a lower epoch a
    /// bridge that lost the lock's shard (spec 8). Kept across restarts and factory resets,
    /// which reset only `lock`.
    var fence = OwnerFence()
    /// Events that happened while the lock could not reach the broker; sent `delayed` later.
    var held: [LockEvent] = []
    /// The last events sent, kept in memory so the bridge can ask for them again.
    var recent: [LockEvent] = []
    static let recentLimit = 64
    /// How far this lock's clock stands from the emulator's (the `clock` sim action, spec 6).
    var clockOffset: Double?
    /// Which credentials were usable when `state` was last sent, to republish it when a window
    /// opens or closes (spec 7.1) with nothing else happening.
    var lastUsable: [Bool]?
    /// Counts changes in this process, so an older copy is never saved over a newer one.
    var generation: UInt64 = 0

    enum CodingKeys: String, CodingKey { case lock, lastCounter, fence, held, clockOffset }

    init(lock: Lock) { self.lock = lock }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lock = try c.decode(Lock.self, forKey: .lock)
        // Saved before fencing, a lock held only its counter.
        fence = try c.decodeIfPresent(OwnerFence.self, forKey: .fence)
            ?? OwnerFence(counter: try c.decodeIfPresent(UInt64.self, forKey: .lastCounter) ?? 0)
        held = try c.decodeIfPresent([LockEvent].self, forKey: .held) ?? []
        clockOffset = try c.decodeIfPresent(Double.self, forKey: .clockOffset)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lock, forKey: .lock)
        try c.encode(fence, forKey: .fence)
        try c.encode(held, forKey: .held)
        try c.encodeIfPresent(clockOffset, forKey: .clockOffset)
    }

    /// Moves this lock's clock on to where it stood when it was saved, if the emulator's lock
    /// time is behind that now.
    mutating func continueClock(from lockTime: Date) {
        guard let last = lock.lastTime, last > time(lockTime) else { return }
        clockOffset = (clockOffset ?? 0) + last.timeIntervalSince(time(lockTime))
    }

    /// This lock's own time, given the emulator's lock time.
    func time(_ lockTime: Date) -> Date { lockTime.addingTimeInterval(clockOffset ?? 0) }

    mutating func remember(_ event: LockEvent) {
        recent.append(event)
        if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
    }

    /// Whether the lock can talk to the broker: it has power and Wi-Fi.
    var reachable: Bool { lock.isPowered && lock.wifiUp }
}
