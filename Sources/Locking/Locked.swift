#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `Synchronization.Mutex`, made visible to ThreadSanitizer.
///
/// On Linux `Mutex` waits with raw futex calls, which ThreadSanitizer does not intercept, so it
/// reports a race on every value a `Mutex` guards (an eight-line program shows it, see
/// docs/reliability.md). When the process runs under ThreadSanitizer (`make test-tsan`), this
/// type tells it about each lock and unlock through its public annotation interface, found at
/// run time; otherwise those two calls are a nil check.
public struct Locked<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    private let mutex: Mutex<Value>
    // A distinct address per lock for the annotations.
    private let token = Token()

    public init(_ value: consuming sending Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, holding the lock.
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            ThreadSanitizer.acquire(token)
            defer { ThreadSanitizer.release(token) }
            return try body(&value)
        }
    }
}

private final class Token: Sendable {}

/// ThreadSanitizer's `__tsan_acquire` / `__tsan_release`, when the process has them.
private enum ThreadSanitizer {
    typealias Annotation = @convention(c) (UnsafeMutableRawPointer?) -> Void

    static let acquireFunction: Annotation? = lookup("__tsan_acquire")
    static let releaseFunction: Annotation? = lookup("__tsan_release")

    static func acquire(_ token: Token) {
        if let acquireFunction { acquireFunction(Unmanaged.passUnretained(token).toOpaque()) }
    }

    static func release(_ token: Token) {
        if let releaseFunction { releaseFunction(Unmanaged.passUnretained(token).toOpaque()) }
    }

    private static func lookup(_ name: String) -> Annotation? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Annotation.self)
        #else
        return nil
        #endif
    }
}
