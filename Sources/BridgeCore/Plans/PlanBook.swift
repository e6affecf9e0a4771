public import Foundation
import JSON
public import LockAPI

/// One lock under one plan.
struct PlanKey: Sendable, Hashable, Comparable {
    var plan: String
    var lock: LockID

    static func < (a: PlanKey, b: PlanKey) -> Bool { (a.plan, a.lock.rawValue) < (b.plan, b.lock.rawValue) }
}

/// Every access plan the bridge keeps, and what is due (spec 7.2).
struct PlanBook: Sendable {
    var entries: [String: PlanEntry] = [:]
    /// Answers to changing plan requests, by `request_id`, so a repeat is not applied twice.
    var requests: [String: [UInt8]] = [:]
    /// Locks whose standing with a plan must be looked at again (a change, an answer, a wait).
    var due = DueKeys()
    /// Plan writes on their way to locks, across all plans (at most `plan_parallel`).
    var writesOut = 0
    /// Several bridges: the stored standing of other bridges' locks as last read, and the plan's
    /// revision then, so an unchanged row is not read again.
    var rowsSeen: [PlanKey: (bytes: [UInt8], revision: PlanRevision)] = [:]

    mutating func restore(_ stored: [StoredPlan], requests: [String: [UInt8]], now: Date) {
        self.requests = requests
        for plan in stored {
            var entry = PlanEntry(definition: plan.definition)
            for (text, bytes) in plan.locks {
                guard let id = LockID(text), let o = try? JSON.parseObject(bytes) else { continue }
                entry.locks[id] = PlanLock(object: o, now: now)
            }
            // Locks the plan names that have no saved standing yet (a crash right after apply).
            for id in plan.definition.plan.locks where entry.locks[id] == nil { entry.locks[id] = PlanLock(at: now) }
            for id in entry.locks.keys { due.insert(PlanKey(plan: entry.name, lock: id)) }
            entries[entry.name] = entry
        }
    }

    /// Forgets a plan that is gone.
    mutating func drop(_ name: String) {
        entries[name] = nil
        due.removeAll { $0.plan == name }
        rowsSeen = rowsSeen.filter { $0.key.plan != name }
    }

    /// Every plan that has a standing on `lock`.
    func keys(for lock: LockID) -> [PlanKey] {
        entries.values.compactMap { $0.locks[lock] == nil ? nil : PlanKey(plan: $0.name, lock: lock) }
    }

    subscript(key: PlanKey) -> PlanLock? {
        get { entries[key.plan]?.locks[key.lock] }
        set {
            entries[key.plan]?.locks[key.lock] = newValue
            entries[key.plan]?.statusDue = true
        }
    }

    /// The slots every plan holds or is writing on `lock`: none of them is free for another grant.
    func claimedSlots(on lock: LockID) -> Set<Int> {
        var out = Set<Int>()
        for entry in entries.values {
            guard let state = entry.locks[lock] else { continue }
            out.formUnion(state.slots.values.map(\.slot))
            if let w = state.inFlight { out.insert(w.slot) }
        }
        return out
    }

    /// What to store about `key` now, with the plan's revision it stands under.
    func saved(_ key: PlanKey) -> PlanStoreChange? {
        guard let state = self[key], let entry = entries[key.plan] else { return nil }
        var o = state.object
        o["revision"] = .object(entry.definition.revision.object)
        return .lock(plan: key.plan, lock: key.lock, state: BridgeMachine.bytes(o))
    }
}

/// A change to the plans in the store, written before anything of its batch is published.
public enum PlanStoreChange: Sendable {
    /// The plan with its codes: the executor seals it with the plan key before it is stored.
    case definition(PlanDefinition)
    case lock(plan: String, lock: LockID, state: [UInt8])
    /// The plan is gone (removed, every slot cleared).
    case forget(plan: String)
    /// The answer to a changing plan request, by its `request_id`.
    case request(id: String, response: [UInt8], at: Date)
}
