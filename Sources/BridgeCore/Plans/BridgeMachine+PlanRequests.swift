import Foundation
import JSON
import LockAPI
import LockCore
import Logging

/// `plan/apply`, `plan/remove`, `plan/status` and `plan/list` (spec 7.2).
extension BridgeMachine {
    static let planHandlers: [String: RequestHandler] = [
        "plan/apply": { machine, request, _, now throws(BridgeRequestError) in
            guard case .planApply(let apply) = request else { throw mismatched(request) }
            if let answer = machine.repeatedPlanRequest(apply.change) { return answer }
            return try machine.applyPlan(apply, now: now)
        },
        "plan/remove": { machine, request, _, now throws(BridgeRequestError) in
            guard case .planRemove(let name, let change) = request else { throw mismatched(request) }
            if let answer = machine.repeatedPlanRequest(change) { return answer }
            return try machine.removePlan(name, change, now: now)
        },
        "plan/status": { machine, request, _, _ throws(BridgeRequestError) in
            guard case .planStatus(let name) = request else { throw mismatched(request) }
            guard let name else {
                return .answer(.object(["plans": .array(machine.planBook.entries.keys.sorted().map { .object(machine.planBook.entries[$0]!.statusObject()) })]))
            }
            return .answer(.object(try machine.plan(named: name).statusObject()))
        },
        "plan/list": { machine, request, _, _ throws(BridgeRequestError) in
            guard case .planList = request else { throw mismatched(request) }
            return .answer(.array(machine.planBook.entries.keys.sorted().map { name in
                let entry = machine.planBook.entries[name]!
                var o = entry.definition.plan.object(withCodes: false)
                o["applied_at"] = .time(entry.definition.appliedAt)
                o["locks"] = .int(Int64(entry.locks.count))
                o["summary"] = entry.statusObject()["summary"]
                if entry.definition.removing { o["removing"] = true }
                return .object(o)
            }))
        },
    ]

    func plan(named name: String) throws(BridgeRequestError) -> PlanEntry {
        guard let entry = planBook.entries[name] else { throw BridgeRequestError(code: "not_found", message: "no access plan \"\(name)\"") }
        return entry
    }

    /// The first answer again, marked, for a `request_id` already applied.
    func repeatedPlanRequest(_ change: PlanChange) -> RequestOutcome? {
        guard let id = change.requestID, let stored = planBook.requests[id], var first = try? JSON.parseObject(stored) else { return nil }
        first["duplicate"] = true
        return .answer(.object(first))
    }

    mutating func applyPlan(_ apply: PlanApply, now: Date) throws(BridgeRequestError) -> RequestOutcome {
        let plan = apply.plan
        if let clash = plan.groups.keys.sorted().first(where: { LockID($0).map { locks[$0] != nil } ?? false }) {
            throw BridgeRequestError(code: "invalid_field", message: "group \"\(clash)\" has the name of a lock; a group may not share a lock's name")
        }
        let previous = planBook.entries[plan.name]
        if apply.dryRun { return .answer(.object(dryRun(plan, previous: previous))) }
        var versions: [String: Int] = [:]
        for grant in plan.grants {
            let old = previous?.definition.plan.grants.first { $0.name == grant.name }
            let oldVersion = previous?.definition.versions[grant.name] ?? 0
            versions[grant.name] = old.map { $0.code == grant.code && $0.sameMetadata(grant) } == true ? oldVersion : oldVersion + 1
        }
        // Each apply is later than the last, whichever bridge's clock made the last (spec 8).
        let appliedAt = max(now, (previous?.definition.appliedAt ?? .distantPast).addingTimeInterval(0.002))
        var entry = PlanEntry(definition: PlanDefinition(plan: plan, authCodes: apply.authCodes, appliedAt: appliedAt, versions: versions))
        // Locks the plan no longer names keep their standing until their slots are cleared.
        entry.locks = previous?.locks ?? [:]
        for id in plan.locks where entry.locks[id] == nil { entry.locks[id] = PlanLock(at: now) }
        for id in Array(entry.locks.keys) {
            entry.locks[id]!.tryAgain(now: now)
            if acts(for: id) { entry.locks[id]!.revision = entry.definition.revision }
            planBook.due.insert(PlanKey(plan: plan.name, lock: id))
        }
        planBook.entries[plan.name] = entry
        logger.notice("access plan applied", metadata: ["plan": "\(plan.name)", "locks": "\(plan.locks.count)", "grants": "\(plan.grants.count)"])
        // Several bridges: each stores the standing of its own locks only.
        let mine = entry.locks.keys.sorted().filter(acts(for:))
        var effects: [BridgeEffect] = [.plans([.definition(entry.definition)] + mine.compactMap { planBook.saved(PlanKey(plan: plan.name, lock: $0)) })]
        effects += planWork(now: now)
        let answer = planBook.entries[plan.name]!.statusObject()
        effects += rememberPlanRequest(apply.change, answer, now: now)
        return .answer(.object(answer), effects: effects)
    }

    mutating func removePlan(_ name: String, _ change: PlanChange, now: Date) throws(BridgeRequestError) -> RequestOutcome {
        var entry = try plan(named: name)
        entry.definition.removing = true
        entry.statusDue = true
        for id in entry.locks.keys { planBook.due.insert(PlanKey(plan: name, lock: id)) }
        planBook.entries[name] = entry
        logger.notice("access plan removal asked", metadata: ["plan": "\(name)"])
        var effects: [BridgeEffect] = [.plans([.definition(entry.definition)])]
        effects += planWork(now: now)
        let answer: JSONObject = ["name": .string(name), "removing": true, "locks": .int(Int64(entry.locks.count))]
        effects += rememberPlanRequest(change, answer, now: now)
        return .answer(.object(answer), effects: effects)
    }

    mutating func rememberPlanRequest(_ change: PlanChange, _ answer: JSONObject, now: Date) -> [BridgeEffect] {
        guard let id = change.requestID else { return [] }
        let bytes = Self.bytes(answer)
        planBook.requests[id] = bytes
        return [.plans([.request(id: id, response: bytes, at: now)])]
    }

    /// What applying would change on each lock, changing nothing.
    func dryRun(_ plan: AccessPlan, previous: PlanEntry?) -> JSONObject {
        var lockObject: JSONObject = [:]
        let grantsByLock = plan.grantsByLock()
        let all = Set(grantsByLock.keys).union(previous?.locks.keys.map { $0 } ?? [])
        for id in all.sorted() {
            guard let snapshot = locks[id]?.snapshot else {
                lockObject[id.rawValue] = .object([
                    "status": "pending", "error": .object(["code": "not_found", "message": "the bridge has not heard from this lock yet"]),
                    "changes": [],
                ])
                continue
            }
            let held = previous?.locks[id]?.slots ?? [:]
            var taken = Set(snapshot.credentials.codes.map(\.slot)).union(planBook.claimedSlots(on: id))
            var changes: [JSONValue] = []
            let grants = grantsByLock[id] ?? []
            for grant in grants {
                let action: String
                let slot: Int?
                if let s = held[grant.name] {
                    let old = previous?.definition.plan.grants.first { $0.name == grant.name }
                    let same = old.map { $0.code == grant.code && $0.sameMetadata(grant) } ?? false
                    (action, slot) = (same ? "none" : "replace", s.slot)
                } else {
                    slot = Credentials.slotRange.first { !taken.contains($0) }
                    action = slot == nil ? "no_free_slot" : "add"
                    if let slot { taken.insert(slot) }
                }
                var change: JSONObject = ["grant": .string(grant.name), "action": .string(action)]
                if let slot { change["slot"] = .int(Int64(slot)) }
                changes.append(.object(change))
            }
            for (grant, s) in held.sorted(by: { $0.key < $1.key }) where !grants.contains(where: { $0.name == grant }) {
                changes.append(.object(["grant": .string(grant), "action": "clear", "slot": .int(Int64(s.slot))]))
            }
            let unchanged = changes.allSatisfy { $0.objectValue?["action"]?.stringValue == "none" }
            lockObject[id.rawValue] = .object([
                "status": .string(unchanged ? "in_sync" : "pending"), "online": .bool(locks[id]!.online), "changes": .array(changes),
            ])
        }
        return ["name": .string(plan.name), "dry_run": true, "locks": .object(lockObject)]
    }
}
