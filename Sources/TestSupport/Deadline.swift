/// What a test waited for and did not see in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var what: String
    public var seconds: Double
    public var description: String { "timed out after \(seconds) s waiting for \(what)" }
}

/// Runs `operation`, failing with `DeadlineExceeded` if it takes longer than `seconds` (times
/// `TestTime.scale` under a sanitizer). Tests wait for events this way rather than sleeping a
/// fixed time.
public func withDeadline<T: Sendable>(
    _ written: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let seconds = TestTime.scaled(written)
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw DeadlineExceeded(what: what, seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Polls `condition` every few milliseconds until it holds, or fails at the deadline.
public func waitUntil(
    _ seconds: Double, _ what: String, every interval: Duration = .milliseconds(20),
    _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
    try await withDeadline(seconds, what) {
        while try await !condition() { try await Task.sleep(for: interval) }
    }
}
