import Foundation
import JSON
import LockAPI
import LockCore
import Logging

/// A plan's writes to a lock: sent signed like any command (the codes sealed for the lock), one
/// at a time per lock behind the user's own commands, stored before they leave, and answered
/// to the plan instead of `result`.
extension BridgeMachine {
    mutating func sendPlanWrite(
        _ wish: PlanWish, _ entry: PlanEntry, _ state: inout PlanLock, _ key: PlanKey, codes: [Int: CredentialList.Code], now: Date
    ) -> [BridgeEffect] {
        guard var record = locks[key.lock] else { return [] }
        let seal = settings.codeSeal
        let command: LockCommand
        if wish.kind == .clear {
            command = .clearCode(slot: wish.slot, plan: key.plan)
        } else {
            guard let grant = entry.definition.plan.grants.first(where: { $0.name == wish.grant }) else { return [] }
            let sealed = CodeHash(bytes: seal.seal(grant.code.reveal(), lock: key.lock, field: CodeSeal.newCodeField))
            command = .setCode(
                slot: wish.slot, name: grant.name, hash: sealed, validUntil: grant.validUntil, replace: wish.kind == .replace, rules: grant.rules,
                plan: key.plan)
        }
        let auth = entry.definition.authCodes[key.lock].map { CodeHash(bytes: seal.seal($0.reveal(), lock: key.lock, field: CodeSeal.remoteCodeField)) }
        let requestID = "plan-\(newID())"
        let device = DeviceCommand(requestID: requestID, counter: nextCounter(now), command: command, code: auth, ownerEpoch: ownerEpoch(key.lock))
        guard let payload = try? device.payload() else { return [] }
        state.inFlight = PlanWrite(
            requestID: requestID, grant: wish.grant, slot: wish.slot, kind: wish.kind, version: wish.version, sentAt: now,
            previousSetAt: codes[wish.slot]?.setAt, enforcing: wish.enforcing)
        record.pending = PendingCommand(
            requestID: requestID, command: command.name, deadline: now.addingTimeInterval(configuration.commandTimeout), reply: nil, plan: key.plan)
        locks[key.lock] = record
        planBook.writesOut += 1
        // The standing (with the write in flight) is stored before the write leaves: after a
        // crash the bridge knows to look for it instead of sending it again.
        planBook[key] = state
        return [.plans([planBook.saved(key)!]), .publish(signed(key.lock, .cmd, payload))]
    }

    /// The lock's answer to a plan write, or the timeout; the command's usual bookkeeping
    /// (the next queued command) is the caller's.
    mutating func planAnswered(_ lock: LockID, plan: String, requestID: String, error: LockError?, now: Date) -> [BridgeEffect] {
        planBook.writesOut = max(0, planBook.writesOut - 1)
        let key = PlanKey(plan: plan, lock: lock)
        guard var state = planBook[key], let write = state.inFlight, write.requestID == requestID else { return [] }
        state.inFlight = nil
        var out: [BridgeEffect] = []
        if let error {
            planWriteFailed(&state, write, error, now: now)
        } else {
            out += planWriteDone(&state, write, key, now: now)
        }
        planBook[key] = state
        planBook.due.insert(key)
        if let change = planBook.saved(key) { out.insert(.plans([change]), at: 0) }
        return out
    }

    /// A write that took: the slot is the grant's (or, cleared, no one's).
    mutating func planWriteDone(_ state: inout PlanLock, _ write: PlanWrite, _ key: PlanKey, now: Date) -> [BridgeEffect] {
        state.attempts = 0
        state.retryAt = nil
        state.error = nil
        if write.kind == .clear {
            state.slots[write.grant] = nil
            return []
        }
        var slot = PlanSlot(slot: write.slot, version: write.version, setAt: nil, enforcedAt: state.slots[write.grant]?.enforcedAt ?? [])
        guard write.enforcing else {
            state.slots[write.grant] = slot
            return []
        }
        slot.enforcedAt = slot.enforcedAt.filter { now.timeIntervalSince($0) < 3600 } + [now]
        state.slots[write.grant] = slot
        state.driftReported.remove(write.grant)
        return planEvent("enforced", key, detail: ["grant": .string(write.grant), "slot": .int(Int64(write.slot))], now: now)
    }

    /// Transient refusals are tried again with backoff; a wrong or missing code is never retried.
    func planWriteFailed(_ state: inout PlanLock, _ write: PlanWrite, _ error: LockError, now: Date) {
        switch error.code {
        case .timeout, .busy, .lockOffline:
            state.attempts += 1
            state.retryAt = now.addingTimeInterval(Self.planBackoff(state.attempts))
            state.set(.pending, error, now: now)
        case .slotOccupied where write.kind == .add:
            // Someone else's code is there: the next free slot.
            state.occupied.insert(write.slot)
        case .wrongCode, .codeRequired, .lockoutActive:
            state.stuck = true
            state.set(.needsAuth, error, now: now)
        default:
            state.stuck = true
            state.set(.failed, error, now: now)
        }
    }

    /// 2, 4, 8 … seconds, at most a minute.
    static func planBackoff(_ attempts: Int) -> TimeInterval { min(60, pow(2, Double(min(attempts, 6)))) }

    /// An audited `<base>/bridge/event/plan` event about one lock, numbered like the other
    /// events the bridge raises for it (spec 3.3).
    mutating func planEvent(_ event: String, _ key: PlanKey, detail: JSONObject, now: Date) -> [BridgeEffect] {
        guard var record = locks[key.lock] else { return [] }
        record.bridgeSeq += 1
        locks[key.lock] = record
        var payload: JSONObject = [
            "event_type": .string(event), "plan": .string(key.plan), "lock": .string(key.lock.rawValue), "source": "bridge",
            "epoch": .int(settings.bridgeEpoch), "seq": .int(record.bridgeSeq), "at": .time(now),
        ]
        for (field, value) in detail { payload[field] = value }
        logger.info("access plan \(event)", metadata: ["plan": "\(key.plan)", "lock.id": "\(key.lock)"])
        return [.event(AuditedEvent(
            lock: key.lock, category: "plan", topic: publicTopics.planEvents, payload: Self.bytes(payload), epoch: nil, seq: nil, at: now,
            bridgeSeq: record.bridgeSeq))]
    }

    /// Plans being removed whose every slot is cleared are forgotten, their status topic too.
    mutating func finishRemovals(now: Date) -> [BridgeEffect] {
        // Several bridges: the owner of shard 0 decides, once every lock's owner stored its
        // lock cleared under the removal.
        guard ownsShardZero else { return [] }
        var out: [BridgeEffect] = []
        for entry in planBook.entries.values where entry.definition.removing {
            let revision = entry.definition.revision
            guard entry.locks.allSatisfy({ id, state in
                state.slots.isEmpty && state.inFlight == nil && (acts(for: id) || state.revision == revision)
            }) else { continue }
            planBook.drop(entry.name)
            logger.notice("access plan removed", metadata: ["plan": "\(entry.name)"])
            out += [.plans([.forget(plan: entry.name)]), .publish(Publication(topic: publicTopics.planStatus(entry.name), payload: [], retain: true))]
        }
        return out
    }

    /// Publishes the status of every plan that changed, at most once a second each.
    mutating func planStatuses(now: Date) -> [BridgeEffect] {
        // Several bridges: one view, from the owner of shard 0.
        guard ownsShardZero else { return [] }
        var out: [BridgeEffect] = []
        for name in planBook.entries.keys.sorted() {
            let entry = planBook.entries[name]!
            guard entry.statusDue, entry.statusPublishedAt.map({ now.timeIntervalSince($0) >= 1 }) ?? true else { continue }
            planBook.entries[name]!.statusDue = false
            planBook.entries[name]!.statusPublishedAt = now
            out.append(.publish(Publication(topic: publicTopics.planStatus(name), payload: Self.bytes(entry.statusObject()), retain: true)))
        }
        return out
    }
}
