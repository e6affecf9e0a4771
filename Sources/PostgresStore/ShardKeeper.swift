public import Foundation
public import Logging
import PostgresNIO
import Synchronization

/// What PostgreSQL's advisory locks say about the 64 shards (spec 8).
public struct ShardHolding: Sendable, Equatable {
    /// Shard → the epoch this bridge took it with.
    public var mine: [Int: UInt64] = [:]
    /// Shards any bridge holds.
    public var held: Set<Int> = []
    /// Instance → the shards it holds (every live instance, also with none).
    public var instances: [String: [Int]] = [:]
}

/// Holds this bridge's shards as session advisory locks on one dedicated connection, never a
/// pooled one (spec 8). PostgreSQL decides ownership: a bridge owns a shard exactly while its
/// session holds `pg_try_advisory_lock(lockSpace, shard)`, so one that dies, or loses its
/// session, loses its shards at once. There is no election and no heartbeat of our own.
///
/// Every `takeover_s`/5 it checks the connection, reads who holds what, gives up shards above
/// its share and takes free ones up to it (the shares: 64 / N, the first 64 mod N instances by
/// name one more). Taking a shard raises its epoch first, committed before it is used. A check
/// that fails, or gets no answer within `takeover_s`/2, drops every shard at once.
public final class ShardKeeper: Sendable {
    public static let shardCount = 64
    /// The first key of the two-key advisory locks ("LB").
    static let lockSpace: Int32 = 0x4C42
    static let applicationPrefix = "lockbridge-shards:"

    let target: PostgresTarget
    let password: String?
    let instance: String
    let takeover: Double
    let logger: Logger
    private let retakes = Mutex<[Int: UInt64]>([:])

    public init(url: String, password: String?, instance: String, takeover: Double, logger: Logger) throws(PostgresStoreError) {
        target = try PostgresTarget(url: url)
        (self.password, self.instance, self.takeover, self.logger) = (password, instance, takeover, logger)
    }

    /// A lock holds an epoch above ours for `shard`: take it again above `above`.
    public func retake(_ shard: Int, above: UInt64) {
        retakes.withLock { $0[shard] = max($0[shard] ?? 0, above) }
    }

    /// Until cancelled; `report` hears every change of the holding, an empty one at once when
    /// the session is lost.
    public func run(report: @escaping @Sendable (ShardHolding) -> Void) async {
        var last = ShardHolding()
        while !Task.isCancelled {
            do {
                let connection = try await connect()
                defer { Task { try? await connection.close() } }
                if try await inRecovery(connection) {
                    logger.error("the PostgreSQL server is in recovery (a standby): no shards are taken from it")
                    throw PostgresStoreError("server in recovery")
                }
                var mine: [Int: UInt64] = [:]
                while !Task.isCancelled {
                    let held = mine
                    logger.trace("checking the shards' session")
                    let (holding, now) = try await Abandonable.within(takeover / 2, onTimeout: { try? await connection.close() }) { try await self.step(connection, held) }
                    mine = now
                    if holding != last {
                        last = holding
                        report(holding)
                    }
                    try await Task.sleep(for: .milliseconds(Int(takeover * 1000 / 5)))
                }
            } catch {
                logger.debug("the shards' session failed", metadata: ["error": "\(String(reflecting: error))"])
                if !last.mine.isEmpty {
                    logger.warning("lost the PostgreSQL session: acting for no shard until it is back", metadata: ["error": "\(error)"])
                    last = ShardHolding()
                    report(last)
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// One check: who holds what, then give and take up to this bridge's share.
    private func step(_ c: PostgresConnection, _ before: [Int: UInt64]) async throws -> (ShardHolding, [Int: UInt64]) {
        var mine = before
        var holders: [Int: String] = [:]
        let lockRows = try await c.query("""
            SELECT l.objid::int, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.classid = \(Self.lockSpace) AND l.objsubid = 2 AND l.granted
            """, logger: logger)
        for try await (shard, name) in lockRows.decode((Int, String).self) { holders[shard] = String(name.dropFirst(Self.applicationPrefix.count)) }
        var names = Set<String>([instance])
        let sessions = try await c.query("SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'lockbridge-shards:%'", logger: logger)
        for try await name in sessions.decode(String.self) { names.insert(String(name.dropFirst(Self.applicationPrefix.count))) }
        // What PostgreSQL says is ours is ours; anything else we thought we had, we have not.
        mine = mine.filter { holders[$0.key] == instance }
        let ordered = names.sorted()
        let index = ordered.firstIndex(of: instance) ?? 0
        let share = Self.shardCount / ordered.count + (index < Self.shardCount % ordered.count ? 1 : 0)
        // Above the share: the highest shards go back (the lock keeps any command of ours out:
        // the next owner claims with a higher epoch).
        for shard in mine.keys.sorted().reversed() where mine.count > share {
            mine[shard] = nil
            holders[shard] = nil
            try await c.query("SELECT pg_advisory_unlock(\(Self.lockSpace), \(Int32(shard)))", logger: logger)
        }
        for shard in 0..<Self.shardCount where mine.count < share && holders[shard] == nil {
            guard try await tryLock(c, shard) else { continue }
            mine[shard] = try await raiseEpoch(c, shard, above: 0)
            holders[shard] = instance
        }
        let asked: [Int: UInt64] = retakes.withLock { list in
            let taken = list
            list = [:]
            return taken
        }
        for (shard, above) in asked where mine[shard] != nil {
            mine[shard] = try await raiseEpoch(c, shard, above: above)
        }
        var holding = ShardHolding(mine: mine, held: Set(holders.keys))
        for name in ordered { holding.instances[name] = [] }
        for (shard, name) in holders { holding.instances[name, default: []].append(shard) }
        return (holding, mine)
    }

    private func tryLock(_ c: PostgresConnection, _ shard: Int) async throws -> Bool {
        for try await got in try await c.query("SELECT pg_try_advisory_lock(\(Self.lockSpace), \(Int32(shard)))", logger: logger).decode(Bool.self) {
            return got
        }
        return false
    }

    /// The shard's next epoch (above `above`), committed before it is used.
    private func raiseEpoch(_ c: PostgresConnection, _ shard: Int, above: UInt64) async throws -> UInt64 {
        let floor = Int64(clamping: above)
        let rows = try await c.query("""
            INSERT INTO shard_epoch (shard, epoch) VALUES (\(shard), \(floor) + 1)
            ON CONFLICT (shard) DO UPDATE SET epoch = greatest(shard_epoch.epoch + 1, \(floor) + 1) RETURNING epoch
            """, logger: logger)
        for try await epoch in rows.decode(Int64.self) { return UInt64(epoch) }
        throw PostgresStoreError("no epoch for shard \(shard)")
    }

    private func inRecovery(_ c: PostgresConnection) async throws -> Bool {
        for try await recovering in try await c.query("SELECT pg_is_in_recovery()", logger: logger).decode(Bool.self) { return recovering }
        return false
    }

    /// The dedicated connection: named for the instance (the others see it in
    /// `pg_stat_activity`), with the server's keepalives and user timeout below `takeover_s`.
    private func connect() async throws -> PostgresConnection {
        var configuration = try target.connection(password: password)
        let half = max(1, Int(takeover / 2))
        configuration.options.additionalStartupParameters = [
            ("application_name", Self.applicationPrefix + instance), ("tcp_keepalives_idle", "1"), ("tcp_keepalives_interval", "1"),
            ("tcp_keepalives_count", "\(half)"), ("tcp_user_timeout", "\(half * 1000)"),
            // A paused bridge (SIGSTOP) keeps its socket, and its kernel answers keepalives: the
            // server ends the session once it has been idle for takeover_s/2 (checks come every
            // takeover_s/5), and its shards are free for the others.
            ("idle_session_timeout", "\(Int(takeover * 500))"),
        ]
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

}
