import AuditLog
import Foundation
import Logging
import LockAPI

extension BridgeService {
    /// Timers: heartbeat and command timeouts every tick; saving and pruning now and then.
    func runTicker(_ sink: AsyncStream<Publication>.Continuation) async {
        let interval = max(0.05, configuration.tickInterval)
        var count = 0
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(Int(interval * 1000))) } catch { break }
            core.run({ $0.tick(now: Date()) }, then: { execute($0, sink) })
            if infoDirty.take() { sink.yield(infoPublication()) }
            count += 1
            if count % max(1, Int(2 / interval)) == 0 { saveLocks(all: false) }
            if count % max(1, Int(600 / interval)) == 0 { prune() }
            if count % max(1, Int(10 / interval)) == 0 { MemoryHygiene.trim() }
        }
    }

    /// Saves the locks that changed (or all of them).
    func saveLocks(all: Bool) {
        // Copies under the mutex; the JSON is made after letting go, so events do not wait for it.
        let records = core.with { core -> [LockRecord] in
            let ids = all ? Set(core.locks.keys) : core.dirty
            core.dirty = []
            return ids.compactMap { core.locks[$0] }
        }
        let changed = records.map { ($0.id.rawValue, BridgeCore.savedState($0)) }
        // One transaction for the lot: with 10,000 locks, heartbeats alone change hundreds
        // every two seconds, and a commit each kept the store busy while events waited for it.
        do {
            try store.saveLockStates(changed.map { (lock: $0.0, state: $0.1) })
        } catch {
            logger.info("cannot save lock state", metadata: ["locks": "\(changed.count)", "error": "\(error)"])
        }
    }

    func prune() {
        do {
            let removed = try store.prune(
                now: Date(), retention: configuration.auditRetentionDays * 86_400, requestRetention: configuration.requestRetention)
            if removed > 0 { logger.debug("pruned the audit log", metadata: ["rows": "\(removed)"]) }
        } catch {
            logger.info("cannot prune the audit log", metadata: ["error": "\(error)"])
        }
    }
}
