/// A failure of the audit store, saying what it was doing and what SQLite answered.
public struct AuditStoreError: Error, Sendable, CustomStringConvertible {
    /// What was being done and why it failed, e.g. "opening the audit database at /x: ...".
    public var message: String

    /// Makes an error with the given message.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension AuditStoreError {
    /// Wraps an underlying (GRDB, SQLite or file system) error with what was being done.
    init(_ doing: String, _ underlying: any Error) {
        self.init(message: "\(doing): \(underlying)")
    }
}
