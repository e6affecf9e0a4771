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
        }
    }

    /// Saves the locks that changed (or all of them).
    func saveLocks(all: Bool) {
        let changed = core.with { core -> [(String, [UInt8])] in
            let ids = all ? Set(core.locks.keys) : core.dirty
            core.dirty = []
            return ids.compactMap { id in core.locks[id].map { (id.rawValue, core.savedState($0)) } }
        }
        for (id, bytes) in changed {
            do {
                try store.saveLockState(lock: id, state: bytes)
            } catch {
                logger.info("cannot save lock state", metadata: ["lock.id": "\(id)", "error": "\(error)"])
            }
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
