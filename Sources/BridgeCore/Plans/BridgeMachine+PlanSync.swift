import Foundation
import JSON
import LockAPI
import Logging

/// Several bridges (spec 8): each writes a plan only to the locks it owns, and stores their
/// standing with the plan's revision. Every second each bridge reads the plans back from
/// PostgreSQL (``BridgeEffect/readShared``): a plan applied or removed on another bridge reaches
/// its locks, and the owner of shard 0, which answers `plan/…` and publishes each plan's status,
/// sees every lock's standing once the lock's owner has caught up with the plan as it is now.
extension BridgeMachine {
    /// The plans as the store holds them now.
    mutating func plansRead(_ stored: [StoredPlan], now: Date) -> [BridgeEffect] {
        guard cluster != nil else { return [] }
        for plan in stored {
            let name = plan.definition.plan.name
            // Ours may be as new, or newer (not yet written when the store was read).
            if planBook.entries[name].map({ Self.isNewer(plan.definition, than: $0.definition) }) ?? true { adopt(plan.definition, now: now) }
            followOthers(name, plan.locks, now: now)
        }
        // Gone from the store: a removal the owner of shard 0 finished.
        let names = Set(stored.map(\.definition.plan.name))
        for (name, entry) in planBook.entries where !names.contains(name) && entry.definition.removing {
            planBook.drop(name)
            logger.notice("access plan removed", metadata: ["plan": "\(name)"])
        }
        // The last lock of a removal may have been another bridge's.
        return planWork(now: now) + finishRemovals(now: now) + planStatuses(now: now)
    }

    /// Shards lost: their plan writes in flight are for the new owner to find out about (from the
    /// lock's credentials, as after a crash), and the `plan_parallel` budget counts only the
    /// writes this bridge still waits for.
    mutating func planShardsLost(_ lost: Set<Int>) {
        var waiting = 0
        for name in Array(planBook.entries.keys) {
            for (id, state) in planBook.entries[name]!.locks {
                guard let write = state.inFlight else { continue }
                if lost.contains(Shards.shard(id)) {
                    planBook.entries[name]!.locks[id]!.inFlight!.orphaned = true
                } else if !write.orphaned {
                    waiting += 1
                }
            }
        }
        planBook.writesOut = waiting
    }

    /// A stored definition is newer when applied later, or when it is the same apply being removed.
    static func isNewer(_ stored: PlanDefinition, than held: PlanDefinition) -> Bool {
        let later = stored.appliedAt.timeIntervalSince(held.appliedAt)
        return later > 0.0005 || (abs(later) <= 0.0005 && stored.removing && !held.removing)
    }

    /// A plan applied or removed elsewhere: this bridge's locks start over with it, as after an
    /// apply here.
    mutating func adopt(_ definition: PlanDefinition, now: Date) {
        let name = definition.plan.name
        let previous = planBook.entries[name]
        let reapplied = previous.map { $0.definition.revision.appliedAt != definition.revision.appliedAt } ?? true
        var entry = PlanEntry(definition: definition)
        entry.locks = previous?.locks ?? [:]
        entry.statusPublishedAt = previous?.statusPublishedAt
        for id in definition.plan.locks where entry.locks[id] == nil { entry.locks[id] = PlanLock(at: now) }
        for id in Array(entry.locks.keys) {
            if reapplied { entry.locks[id]!.tryAgain(now: now) }
            planBook.due.insert(PlanKey(plan: name, lock: id))
        }
        planBook.entries[name] = entry
        logger.notice(
            definition.removing ? "access plan removal asked on another bridge" : "access plan applied on another bridge",
            metadata: ["plan": "\(name)", "locks": "\(definition.plan.locks.count)"])
    }

    /// The standing of the locks other bridges own, as their owners stored it: counted once it
    /// is of the plan's current revision, pending until then.
    mutating func followOthers(_ name: String, _ rows: [String: [UInt8]], now: Date) {
        guard var entry = planBook.entries[name] else { return }
        let revision = entry.definition.revision
        var ids = Set(entry.locks.keys)
        for text in rows.keys { if let id = LockID(text) { ids.insert(id) } }
        for id in ids where !acts(for: id) {
            // A row read before, under the same revision, changes nothing (most rows, most seconds).
            let key = PlanKey(plan: name, lock: id)
            let bytes = rows[id.rawValue]
            if let bytes, let seen = planBook.rowsSeen[key], seen.bytes == bytes, seen.revision == revision { continue }
            planBook.rowsSeen[key] = bytes.map { ($0, revision) }
            let row = bytes.flatMap { try? JSON.parseObject($0) }.map { PlanLock(object: $0, now: now) }
            let view: PlanLock
            if let row, row.revision == revision {
                view = row
            } else if let held = entry.locks[id], held.revision != revision, held.status == .pending {
                continue
            } else {
                view = PlanLock(at: now)
            }
            if entry.locks[id] != view {
                entry.locks[id] = view
                entry.statusDue = true
            }
        }
        planBook.entries[name] = entry
    }
}

extension PlanLock {
    /// Applying again is how a refused lock is tried again.
    mutating func tryAgain(now: Date) {
        stuck = false
        attempts = 0
        retryAt = nil
        occupied = []
        if status != .inSync { set(.pending, nil, now: now) }
    }
}
