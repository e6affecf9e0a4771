import Locking

/// A mutex-guarded value that closures can capture (a `Mutex` itself cannot be copied into one).
public final class SharedBox<Value: Sendable>: Sendable {
    private let mutex: Locked<Value>
    public init(_ value: Value) { mutex = Locked(value) }
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}
