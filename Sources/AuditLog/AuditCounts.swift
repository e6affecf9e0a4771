/// How many rows the store holds, for status reports.
public struct AuditCounts: Sendable, Equatable {
    /// Audit records, delivered or not.
    public var records: Int
    /// Audit records not yet acknowledged by the broker.
    public var undelivered: Int
    /// Remembered command request ids.
    public var requests: Int

    /// Makes a count.
    public init(records: Int, undelivered: Int, requests: Int) {
        self.records = records
        self.undelivered = undelivered
        self.requests = requests
    }
}
