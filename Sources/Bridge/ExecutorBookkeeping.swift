import Locking

/// Outbox ids on their way to the broker (sent, not yet confirmed in SQLite).
final class InFlight: Sendable {
    private let ids = Locked(Set<Int64>())
    func insert(_ id: Int64) { ids.withLock { _ = $0.insert(id) } }
    func remove(_ done: [Int64]) { ids.withLock { $0.subtract(done) } }
    func contains(_ id: Int64) -> Bool { ids.withLock { $0.contains(id) } }
    var count: Int { ids.withLock { $0.count } }
}

/// Outbox ids whose PUBACK arrived, not yet marked delivered: added on the loop thread, taken by
/// the executor, which writes them in its next transaction instead of one of their own.
final class Acknowledged: Sendable {
    private let ids = Locked([Int64]())

    /// Adds one; true when it is the first since the last `take` (the executor needs waking).
    func add(_ id: Int64) -> Bool {
        ids.withLock {
            $0.append(id)
            return $0.count == 1
        }
    }

    func take() -> [Int64] {
        ids.withLock { ids in
            defer { ids.removeAll(keepingCapacity: true) }
            return ids
        }
    }
}

/// Names already reported, so a condition that lasts is logged once.
final class SaidOnce: Sendable {
    private let names = Locked(Set<String>())

    /// True the first time `name` comes.
    func first(_ name: String) -> Bool { names.withLock { $0.insert(name).inserted } }
}
