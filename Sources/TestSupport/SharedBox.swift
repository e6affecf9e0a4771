import Locking

/// A mutex-guarded value that closures can capture (a `Mutex` itself cannot be copied into one).
final class SharedBox<Value: Sendable>: Sendable {
    private let mutex: Locked<Value>
    init(_ value: Value) { mutex = Locked(value) }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}
