public import Foundation

/// Everything the bridge keeps (spec 8): the audit log and outbox, the request-id memory, lock
/// states and sequences, removed locks, the bridge epoch, and access plans. Two kinds satisfy
/// it alike, and one test suite runs against both: ``AuditStore`` (SQLite, the embedded
/// default) and `PostgresStore` (several bridges on one PostgreSQL database).
public protocol BridgeStore: Sendable {
    /// Writes a batch in one transaction; returns the outbox ids of its events, in order.
    func commit(_ batch: AuditBatch) async throws -> [Int64]
    /// Outbox records not yet delivered, oldest first.
    func undelivered(limit: Int) async throws -> [AuditRecord]
    /// One lock's newest `limit` records at or after `since`, returned oldest to newest.
    func history(lock: String, since: Date?, limit: Int) async throws -> [AuditRecord]
    func counts() async throws -> AuditCounts
    /// Deletes delivered records older than `retention` and request ids older than
    /// `requestRetention` (at least 24 h); returns how many rows went.
    func prune(now: Date, retention: TimeInterval, requestRetention: TimeInterval) async throws -> Int
    func lockStates() async throws -> [String: [UInt8]]
    func lastSequences() async throws -> [String: (epoch: Int64, seq: Int64)]
    func removedLocks() async throws -> Set<String>
    /// Remembered results written at or after `since`.
    func rememberedResults(since: Date) async throws -> [AuditBatch.Result]
    /// The result remembered under a request id, if any.
    func result(lock: String, requestID: String) async throws -> [UInt8]?
    func bridgeEpoch() async throws -> Int64
    func bridgeSequences() async throws -> [String: Int64]
    func plans() async throws -> [AuditStore.PlanRow]
    func planRequests(since: Date) async throws -> [String: [UInt8]]
}

/// The embedded store: ``AuditStore`` (SQLite through GRDB) behind the seam. SQLite answers
/// at once, so each requirement is the store's synchronous method.
public struct SQLiteStore: BridgeStore {
    public let store: AuditStore

    public init(_ store: AuditStore) { self.store = store }

    public func commit(_ batch: AuditBatch) async throws -> [Int64] { try store.commit(batch) }
    public func undelivered(limit: Int) async throws -> [AuditRecord] { try store.undelivered(limit: limit) }
    public func history(lock: String, since: Date?, limit: Int) async throws -> [AuditRecord] {
        try store.history(lock: lock, since: since, limit: limit)
    }
    public func counts() async throws -> AuditCounts { try store.counts() }
    public func prune(now: Date, retention: TimeInterval, requestRetention: TimeInterval) async throws -> Int {
        try store.prune(now: now, retention: retention, requestRetention: requestRetention)
    }
    public func lockStates() async throws -> [String: [UInt8]] { try store.lockStates() }
    public func lastSequences() async throws -> [String: (epoch: Int64, seq: Int64)] { try store.lastSequences() }
    public func removedLocks() async throws -> Set<String> { try store.removedLocks() }
    public func rememberedResults(since: Date) async throws -> [AuditBatch.Result] { try store.rememberedResults(since: since) }
    public func result(lock: String, requestID: String) async throws -> [UInt8]? { try store.result(lock: lock, requestID: requestID) }
    public func bridgeEpoch() async throws -> Int64 { try store.bridgeEpoch() }
    public func bridgeSequences() async throws -> [String: Int64] { try store.bridgeSequences() }
    public func plans() async throws -> [AuditStore.PlanRow] { try store.plans() }
    public func planRequests(since: Date) async throws -> [String: [UInt8]] { try store.planRequests(since: since) }
}
