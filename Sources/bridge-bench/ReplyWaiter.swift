import Locking

/// The one reply the latency driver waits for, resumed from the loop thread.
final class ReplyWaiter: Sendable {
    private struct State {
        var needle: [UInt8] = []
        var since = ContinuousClock.now
        var arrived: ContinuousClock.Instant?
        var ok = false
        var waiter: CheckedContinuation<ContinuousClock.Instant?, Never>?
    }
    private let state = Locked(State())

    /// From now on, a payload that contains `needle` is the awaited reply.
    func expect(_ needle: [UInt8]) {
        state.withLock {
            $0.needle = needle
            $0.arrived = nil
            $0.ok = false
            $0.since = .now
        }
    }

    func deliver(_ payload: [UInt8]) {
        let now = ContinuousClock.now
        let waiter = state.withLock { s -> CheckedContinuation<ContinuousClock.Instant?, Never>? in
            guard !s.needle.isEmpty, s.arrived == nil, Payload.contains(payload, s.needle) else { return nil }
            s.arrived = now
            s.ok = Payload.contains(payload, Self.ok)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: now)
    }

    private static let ok = Array(#""status":"ok""#.utf8)

    /// Whether the last reply said `"status":"ok"` (an error result is an answer, not a success).
    var succeeded: Bool { state.withLock { $0.ok } }

    /// When the reply arrived, or nil when `expire` gave up on it.
    func wait() async -> ContinuousClock.Instant? {
        await withCheckedContinuation { continuation in
            let early = state.withLock { s -> ContinuousClock.Instant?? in
                if let arrived = s.arrived { return .some(arrived) }
                s.waiter = continuation
                return .none
            }
            if let early { continuation.resume(returning: early) }
        }
    }

    /// Gives up on a reply awaited for longer than `limit` (called by a watchdog).
    func expire(after limit: Duration) {
        let waiter = state.withLock { s -> CheckedContinuation<ContinuousClock.Instant?, Never>? in
            guard s.waiter != nil, ContinuousClock.now - s.since > limit else { return nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }
}
