import Foundation
import JSON
import LockAPI
import LockCore

/// Reconciling (spec 7.2): each lock a plan names is looked at when something about it changes
/// (its credentials, its being online, an answer, a wait that ran out), and gets at most one
/// write at a time, with at most `plan_parallel` writes out across all locks.
extension BridgeMachine {
    /// A write the plan wants on a lock.
    struct PlanWish {
        var grant: String
        var slot: Int
        var kind: PlanWrite.Kind
        var version: Int
        var enforcing: Bool
    }

    /// Looks at every lock that is due, in order, sending writes while the budget allows.
    mutating func planWork(now: Date) -> [BridgeEffect] {
        guard !planBook.due.isEmpty else { return [] }
        var out: [BridgeEffect] = []
        // Reconciling removes keys and adds others, so the walk goes on from the last key seen.
        var next = planBook.due.first(after: nil)
        while let key = next, planBook.writesOut < configuration.planParallel {
            out += reconcile(key, now: now)
            next = planBook.due.first(after: key)
        }
        out += finishRemovals(now: now)
        return out + planStatuses(now: now)
    }

    /// Marks every plan standing of `lock` due (its credentials or its being online changed).
    mutating func planLockChanged(_ lock: LockID) {
        guard !planBook.entries.isEmpty else { return }
        planBook.due.formUnion(planBook.keys(for: lock))
    }

    /// One plan on one lock: its status, and the next write when one is due and allowed. The
    /// standing is stored whenever it changed.
    mutating func reconcile(_ key: PlanKey, now: Date) -> [BridgeEffect] {
        guard let before = planBook[key] else {
            planBook.due.remove(key)
            return []
        }
        var state = before
        var out: [BridgeEffect] = []
        if !step(key, &state, now: now, into: &out) { planBook.due.remove(key) }
        // What this bridge stores is of the plan as it is now (several bridges count on it).
        if acts(for: key.lock), let revision = planBook.entries[key.plan]?.definition.revision { state.revision = revision }
        if state != before {
            planBook[key] = state
            if let change = planBook.saved(key) { out.insert(.plans([change]), at: 0) }
        }
        return out
    }

    /// The work of ``reconcile(_:now:)``; true when the lock must be looked at again later (a
    /// wait, or no room for its write yet).
    private mutating func step(_ key: PlanKey, _ state: inout PlanLock, now: Date, into out: inout [BridgeEffect]) -> Bool {
        guard let entry = planBook.entries[key.plan] else { return false }
        // Several bridges: the lock's owner reconciles it.
        if !acts(for: key.lock) { return false }
        if let record = locks[key.lock], !claimed(record) { return false }
        guard let record = locks[key.lock], let snapshot = record.snapshot else {
            state.set(.pending, LockError(.notFound, "the bridge has not heard from this lock yet"), now: now)
            return false
        }
        let codes = Dictionary(snapshot.credentials.codes.map { ($0.slot, $0) }, uniquingKeysWith: { a, _ in a })
        if let write = state.inFlight {
            guard write.orphaned else { return false }
            // Sent by an earlier run: once its answer would have come, the credentials tell.
            guard now >= write.sentAt.addingTimeInterval(configuration.commandTimeout) else { return true }
            state.inFlight = nil
            if Self.arrived(write, codes[write.slot], plan: key.plan) { out += planWriteDone(&state, write, key, now: now) }
        }
        if state.stuck { return false }
        let (wish, drifting) = planWish(entry, &state, codes: codes, lock: key.lock, now: now, events: &out)
        if state.stuck { return false }
        guard let wish else {
            if drifting {
                state.set(.drift, nil, now: now)
                return false
            }
            // Written, and the lock's credentials do not show it yet.
            if state.slots.values.contains(where: { $0.setAt == nil }) { return true }
            if state.status != .inSync {
                let removing = entry.definition.removing
                out += planEvent(removing ? "removed" : "applied", key, detail: ["slots": Self.slotList(state)], now: now)
            }
            state.set(.inSync, nil, now: now)
            state.attempts = 0
            return false
        }
        if wish.enforcing && !Self.mayEnforce(state.slots[wish.grant], now: now) {
            state.set(.drift, nil, now: now)
            return false
        }
        guard record.online else {
            state.set(.pending, LockError(.lockOffline, "the lock is offline; it gets the plan when it is back"), now: now)
            return false
        }
        if let retryAt = state.retryAt, now < retryAt { return true }
        guard record.pending == nil, record.queue.isEmpty, planBook.writesOut < configuration.planParallel else {
            if state.status != .drift { state.set(.pending, state.error, now: now) }
            return true
        }
        out += sendPlanWrite(wish, entry, &state, key, codes: codes, now: now)
        state.set(wish.enforcing ? .drift : .pending, state.error, now: now)
        return false
    }

    /// What the plan wants next on the lock, and whether anything drifted that stays drifted.
    mutating func planWish(
        _ entry: PlanEntry, _ state: inout PlanLock, codes: [Int: CredentialList.Code], lock: LockID, now: Date, events: inout [BridgeEffect]
    ) -> (PlanWish?, drifting: Bool) {
        let plan = entry.definition.plan
        let targets = entry.definition.removing ? [] : entry.grantsByLock[lock] ?? []
        var wish: PlanWish?
        var drifting = false
        for (grantName, held) in state.slots.sorted(by: { $0.key < $1.key }) {
            let code = codes[held.slot]
            guard let grant = targets.first(where: { $0.name == grantName }) else {
                // No longer granted here: cleared, if the slot is still the plan's.
                if code?.plan == plan.name {
                    if wish == nil { wish = PlanWish(grant: grantName, slot: held.slot, kind: .clear, version: held.version, enforcing: false) }
                } else {
                    state.slots[grantName] = nil
                }
                continue
            }
            let version = entry.definition.versions[grant.name] ?? 1
            guard let setAt = held.setAt else {
                if let code, code.plan == plan.name, code.name == grant.name { state.slots[grantName]?.setAt = code.setAt }
                continue
            }
            let change: String?
            var kind = PlanWrite.Kind.replace
            if code == nil {
                (change, kind) = ("cleared", .add)
            } else if let owner = code!.plan, owner != plan.name {
                change = "taken by plan \(owner)"
            } else if code!.plan == nil || code!.setAt != setAt {
                change = "changed"
            } else if !code!.enabled && !code!.usedUp {
                change = "disabled"
            } else {
                change = nil
            }
            guard let change else {
                state.driftReported.remove(grantName)
                if held.version != version, !(code?.usedUp ?? false), wish == nil {
                    wish = PlanWish(grant: grantName, slot: held.slot, kind: .replace, version: version, enforcing: false)
                }
                continue
            }
            if !state.driftReported.contains(grantName) {
                state.driftReported.insert(grantName)
                events += planEvent("drift", PlanKey(plan: plan.name, lock: lock), detail: ["grant": .string(grantName), "slot": .int(Int64(held.slot)), "change": .string(change)], now: now)
            }
            // Put back only what was cleared or rewritten: never re-enable, never into another plan's slot.
            let restorable = change == "cleared" || change == "changed"
            if plan.enforce && restorable && wish == nil {
                wish = PlanWish(grant: grantName, slot: held.slot, kind: kind, version: version, enforcing: true)
            } else {
                drifting = true
            }
        }
        if wish == nil, let grant = targets.first(where: { state.slots[$0.name] == nil }) {
            if let slot = freeSlot(on: lock, codes: codes, state: state) {
                wish = PlanWish(grant: grant.name, slot: slot, kind: .add, version: entry.definition.versions[grant.name] ?? 1, enforcing: false)
            } else {
                state.stuck = true
                state.set(.failed, LockError(.slotOccupied, "no free code slot on the lock for grant \"\(grant.name)\""), now: now)
            }
        }
        return (wish, drifting)
    }

    /// The lowest slot that no code uses, no plan holds, and the lock has not refused.
    func freeSlot(on lock: LockID, codes: [Int: CredentialList.Code], state: PlanLock) -> Int? {
        let claimed = planBook.claimedSlots(on: lock)
        return Credentials.slotRange.first { codes[$0] == nil && !claimed.contains($0) && !state.occupied.contains($0) }
    }

    /// At most 3 times per slot per hour.
    static func mayEnforce(_ slot: PlanSlot?, now: Date) -> Bool {
        (slot?.enforcedAt.filter { now.timeIntervalSince($0) < 3600 }.count ?? 0) < 3
    }

    /// Whether a write whose answer never came (the bridge died) shows in the lock's credentials.
    static func arrived(_ write: PlanWrite, _ code: CredentialList.Code?, plan: String) -> Bool {
        switch write.kind {
        case .clear: return code?.plan != plan
        case .add, .replace: return code?.plan == plan && code?.name == write.grant && code?.setAt != write.previousSetAt
        }
    }

    static func slotList(_ state: PlanLock) -> JSONValue {
        .array(state.slots.sorted { $0.key < $1.key }.map { .object(["grant": .string($0.key), "slot": .int(Int64($0.value.slot))]) })
    }
}

extension PlanLock {
    /// Sets the status; `at` moves only when the status or the error changes.
    mutating func set(_ status: PlanLockStatus, _ error: LockError?, now: Date) {
        guard status != self.status || error != self.error else { return }
        (self.status, self.error, at) = (status, error, now)
    }
}

extension BridgeMachine {
    /// On every tick: locks whose wait ran out, or whose being online no longer matches their
    /// standing, are due; the due ones are reconciled; changed statuses go out.
    mutating func planTick(now: Date) -> [BridgeEffect] {
        guard !planBook.entries.isEmpty else { return [] }
        for entry in planBook.entries.values {
            for (id, state) in entry.locks {
                let online = locks[id]?.online ?? false
                let waitingForLock = state.error?.code == .lockOffline || state.error?.code == .notFound
                let retry = state.retryAt.map { now >= $0 } ?? false
                // Drift under enforce waits for the hourly limit to allow the next put-back.
                let enforcing = state.status == .drift && entry.definition.plan.enforce && online
                if retry || enforcing || (online && waitingForLock && locks[id]?.snapshot != nil)
                    || (!online && state.status == .pending && !waitingForLock && !state.stuck)
                {
                    planBook.due.insert(PlanKey(plan: entry.name, lock: id))
                }
            }
        }
        return planWork(now: now) + planStatuses(now: now)
    }
}
