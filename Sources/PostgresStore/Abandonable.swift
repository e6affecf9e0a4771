import Synchronization

/// Work that may wait on a dead or frozen server forever. postgres-nio does not always end a
/// query on cancellation, so the work runs in a task of its own that is abandoned (cancelled,
/// `onTimeout` run) when the time is up: the caller gets an error within `seconds` whatever the
/// server does.
enum Abandonable {
    static func within<T: Sendable>(
        _ seconds: Double, onTimeout: @escaping @Sendable () async -> Void = {}, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let work = Task {
                do {
                    let value = try await body()
                    if once.claim() { continuation.resume(returning: value) }
                } catch {
                    if once.claim() { continuation.resume(throwing: error) }
                }
            }
            Task {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                guard once.claim() else { return }
                continuation.resume(throwing: PostgresStoreError("no answer from PostgreSQL within \(seconds) s"))
                work.cancel()
                await onTimeout()
            }
        }
    }
}

/// True for the first caller only: whoever resumes a continuation first.
private final class Once: Sendable {
    private let done = Mutex(false)

    func claim() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
